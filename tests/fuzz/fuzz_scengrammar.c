/* fuzz_scengrammar.c — the newer parts of the scenario language (doses,
 * growth tables, vars, set blocks, endpoints, endpoint_observables, a
 * scenario's own observables), fuzzed inside a scenario that is otherwise
 * sound, so that mutations are spent on those readers rather than on
 * libconfig's syntax (fuzz_scenario covers whole files).
 *
 * Input: the first byte chooses a slot of the template below (modulo the
 * number of slots); the rest, up to a line "%%", is written into that slot;
 * each line after "%%" is a command-line assignment (--set NAME=VALUE).
 * A scenario that loads is then taken through what commands do with it
 * before simulating: the dose list of every arm (growth, per-kg amounts),
 * the arm's duration, the growth table read at a few times, the endpoints
 * (times and observables, the scenario's own bound by name), and a reload
 * with the assignments (a sweep varying a variable).  Only public API that
 * main keeps; nothing is simulated. */
#include <math.h>

#include "calcify/dosing.h"
#include "calcify/endpoints.h"
#include "calcify/scenario.h"
#include "fuzz_common.h"

/* Each slot: the text before the fragment and the text after it. */
static const char head[] = "name = \"g\";\nparameters = \"rat_wky.cfg\";\noutput_step = \"1 d\";\n";
static const struct {
    const char *before, *after;
} slots[] = {
    /* 0: a top-level setting (observables = ( … ); growth = { … }; …) */
    {"", "\narms = ( { name = \"a\"; phases = ( { duration = \"4 d\"; warfarin = \"0 mg/g\"; "
         "k1 = \"5 ug/g\"; mk4 = \"0 ug/g\"; } ); } );\n"},
    /* 1: the members of vars, used by a phase, a dose and a set */
    {"vars = {\n",
     "\n};\narms = ( { name = \"a\"; phases = ( { duration = \"$weeks\"; warfarin = \"$dose\"; "
     "k1 = \"5 ug/g\"; mk4 = \"0 ug/g\"; set = { warfarin_thalf = \"$thalf\"; };\n"
     "doses = ( { drug = \"k1\"; route = \"sc\"; amount = \"$amount\"; every = \"1 d\"; } ); } ); } );\n"},
    /* 2: the keys of a phase */
    {"arms = ( { name = \"a\"; phases = ( {\n", "\n} ); } );\n"},
    /* 3: the keys of a dose */
    {"arms = ( { name = \"a\"; phases = ( { duration = \"2 w\"; warfarin = \"0 mg/g\"; "
     "k1 = \"5 ug/g\"; mk4 = \"0 ug/g\";\ndoses = ( {\n",
     "\n} ); } ); } );\n"},
    /* 4: the columns of the scenario's growth table */
    {"growth = {\n",
     "\n};\narms = ( { name = \"a\"; phases = ( { duration = \"4 w\"; warfarin = \"0 mg/g\"; "
     "k1 = \"5 ug/g\"; mk4 = \"0 ug/g\";\ndoses = ( { drug = \"warfarin\"; route = \"sc\"; "
     "amount = \"2 mg/kg\"; every = \"1 d\"; } ); } ); } );\n"},
    /* 5: a phase's set block */
    {"arms = ( { name = \"a\"; phases = ( { duration = \"1 w\"; warfarin = \"0 mg/g\"; "
     "k1 = \"5 ug/g\"; mk4 = \"0 ug/g\"; set = {\n",
     "\n}; } ); } );\n"},
    /* 6: an arm's keys (set, start_day, growth) before its phases */
    {"arms = ( { name = \"a\";\n",
     "\nphases = ( { duration = \"3 w\"; warfarin = \"0 mg/g\"; k1 = \"5 ug/g\"; mk4 = \"0 ug/g\"; "
     "} ); } );\n"},
    /* 7: the value of endpoints */
    {"endpoints = ",
     ";\narms = ( { name = \"a\"; phases = ( { duration = \"6 w\"; warfarin = \"0 mg/g\"; "
     "k1 = \"5 ug/g\"; mk4 = \"0 ug/g\"; } ); } );\n"},
    /* 8: the value of endpoint_observables */
    {"endpoints = [\"1 w\"];\nendpoint_observables = ",
     ";\narms = ( { name = \"a\"; phases = ( { duration = \"2 w\"; warfarin = \"0 mg/g\"; "
     "k1 = \"5 ug/g\"; mk4 = \"0 ug/g\"; } ); } );\n"},
    /* 9: one of the scenario's own observables, which the endpoints read */
    {"observables = ( {\n",
     "\n} );\nendpoints = [\"1 w\"];\n"
     "arms = ( { name = \"a\"; phases = ( { duration = \"2 w\"; warfarin = \"0 mg/g\"; "
     "k1 = \"5 ug/g\"; mk4 = \"0 ug/g\"; } ); } );\n"},
};
#define N_SLOTS (sizeof slots / sizeof slots[0])
#define MAX_SETS 16

/* CALCIFY_FUZZ_VERBOSE set: say why each input failed to load (to check
 * that the seeds in corpus/scengrammar load). */
static int verbose;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_setup();
    verbose = getenv("CALCIFY_FUZZ_VERBOSE") != NULL;
    return 0;
}

/* What a command does with a loaded scenario before it simulates. */
static void exercise(const calcify_scenario *sc)
{
    calcify_error err;
    for (size_t a = 0; a < sc->n_arms; a++) {
        const calcify_arm *arm = &sc->arms[a];
        calcify_dose_record *doses = NULL;
        size_t n = 0;
        if (calcify_arm_doses(sc, arm, &doses, &n, &err) == CALCIFY_OK)
            for (size_t k = 0; k < n; k++)
                if (!(doses[k].t >= 0) || !isfinite(doses[k].amount_mg_per_kg))
                    abort(); /* a dose the run would give must be a number, in the arm */
        free(doses);
        double end = calcify_arm_duration(arm);
        if (!(end > 0) || !isfinite(end))
            abort();
        const calcify_growth *g = arm->growth ? arm->growth : sc->growth;
        for (int k = 0; g && k <= 4; k++) {
            double bw, food, dfood;
            calcify_growth_at(g, end * k / 4, &bw, &food, &dfood);
            if (!(bw > 0) || !(food >= 0))
                abort(); /* the table's values were checked at load */
        }
    }
    calcify_endpoints e;
    if (calcify_endpoints_resolve(sc, NULL, NULL, 0, NULL, 0, &e, &err) == CALCIFY_OK)
        calcify_endpoints_free(&e);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1 || size > 16384)
        return 0;
    size_t slot = data[0] % N_SLOTS;
    char *frag = malloc(size);
    memcpy(frag, data + 1, size - 1);
    frag[size - 1] = '\0';
    /* the assignments: lines after a line "%%" */
    const char *sets[MAX_SETS];
    size_t n_sets = 0;
    char *mark = strstr(frag, "\n%%\n");
    if (mark) {
        *mark = '\0';
        for (char *p = mark + 4, *line; n_sets < MAX_SETS && (line = strsep(&p, "\n"));)
            if (*line)
                sets[n_sets++] = line;
    }
    size_t len_b = strlen(slots[slot].before), len_f = strlen(frag),
           len_a = strlen(slots[slot].after);
    size_t total = sizeof head - 1 + len_b + len_f + len_a;
    char *text = malloc(total);
    memcpy(text, head, sizeof head - 1);
    memcpy(text + sizeof head - 1, slots[slot].before, len_b);
    memcpy(text + sizeof head - 1 + len_b, frag, len_f);
    memcpy(text + sizeof head - 1 + len_b + len_f, slots[slot].after, len_a);
    const char *path = fuzz_write("grammar.cfg", (const unsigned char *)text, total);
    free(text);

    calcify_scenario sc, again;
    calcify_error err;
    err.msg[0] = '\0';
    calcify_scenario_opts o = {NULL, sets, n_sets};
    if (calcify_scenario_load_opts(path, &o, &sc, &err) == CALCIFY_OK) {
        exercise(&sc);
        /* a sweep's run: the file read again with one more assignment */
        if (n_sets) {
            err.msg[0] = '\0';
            if (calcify_scenario_reload(&sc, sets + n_sets - 1, 1, &again, &err) == CALCIFY_OK)
                calcify_scenario_free(&again);
            else if (!err.msg[0])
                abort();
        }
        calcify_scenario_free(&sc);
    } else if (!err.msg[0]) {
        abort(); /* a failure must say why */
    } else if (verbose) {
        fprintf(stderr, "slot %zu: %s\n", slot, err.msg);
    }
    free(frag);
    return 0;
}
