/* meta.c — the sidecar of a run that figures read (calcify/meta.h). */
#include <string.h>

#include "run/meta.h"
#include "calcify/numfmt.h"

/* A text field: tabs, newlines and carriage returns become spaces, so each
 * row stays one line of fields. */
static void text(FILE *fp, const char *s)
{
    for (; s && *s; s++)
        fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, fp);
}

/* A number as the shortest text that reads back to it. */
static void num(FILE *fp, double v)
{
    char buf[CALCIFY_NUMFMT_CAP];
    calcify_numfmt(buf, v, CALCIFY_NUMFMT_SHORTEST);
    fputs(buf, fp);
}

int calcify_meta_write(FILE *fp, const calcify_scenario *sc,
                       const unsigned char *selected)
{
    const calcify_modeldef *md = calcify_paramset_model(&sc->params);
    fputs("# calcify run metadata: one row per phase of each arm (docs/SCENARIOS.md)\n"
          "scenario\tscenario_description\tarm\tarm_description\tphase\tstart_d\tend_d\t",
          fp);
    /* the diet's columns, "warfarin_mg_per_g" (units as calcify_param_column
     * spells them) */
    for (size_t k = 0; k < md->n_diet; k++) {
        fprintf(fp, "%s_", md->diet[k].key);
        for (const char *u = md->diet[k].unit; *u; u++)
            *u == '/' ? fputs("_per_", fp) : fputc(*u, fp);
        fputc('\t', fp);
    }
    fputs("set\n", fp);
    for (size_t k = 0; k < sc->n_arms; k++) {
        if (selected && !selected[k])
            continue;
        const calcify_arm *a = &sc->arms[k];
        double t = 0;
        for (size_t p = 0; p < a->n_phases; p++) {
            const calcify_diet_phase *ph = &a->phases[p];
            text(fp, sc->name);
            fputc('\t', fp);
            text(fp, sc->description);
            fprintf(fp, "\t%s\t", a->name);
            text(fp, a->description);
            fprintf(fp, "\t%zu", p + 1);
            double cols[2 + CALCIFY_MAX_DIET] = {t, t + ph->duration};
            memcpy(cols + 2, ph->diet, md->n_diet * sizeof *cols);
            for (size_t c = 0; c < 2 + md->n_diet; c++) {
                fputc('\t', fp);
                num(fp, cols[c]);
            }
            fputc('\t', fp);
            t += ph->duration;
            const char *sep = "";
            for (size_t i = 0; i < md->n_param; i++)
                if (ph->set[i]) {
                    fprintf(fp, "%s%s=", sep, md->params[i].name);
                    num(fp, ph->set_value[i]);
                    fprintf(fp, " %s", md->params[i].unit);
                    sep = "; ";
                }
            fputc('\n', fp);
        }
    }
    /* the data labels of targets files (data_labels) and the arms run that
     * each stands for, as comments: readers of the table skip them, the
     * figure scripts draw a data row in its arm's colour */
    for (size_t k = 0; k < sc->n_labels; k++) {
        const calcify_data_label *l = &sc->labels[k];
        if (l->n_den) /* a ratio: no arm of its own */
            continue;
        int any = 0;
        for (size_t i = 0; i < l->n_arms; i++) {
            if (selected && !selected[l->arms[i]])
                continue;
            if (!any) {
                fputs("# data_label\t", fp);
                text(fp, l->label);
                fputc('\t', fp);
            }
            fprintf(fp, "%s%s", any ? " " : "", sc->arms[l->arms[i]].name);
            any = 1;
        }
        if (any)
            fputc('\n', fp);
    }
    /* the scenario's own observables: name, unit and description, for the
     * axis labels of the figures (plots/observables.gp) */
    for (size_t k = 0; sc->obs && k < sc->obs->n_user; k++) {
        const calcify_user_obs *u = &sc->obs->user[k];
        fprintf(fp, "# observable\t%s\t%s\t", u->name, u->unit);
        text(fp, u->description);
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}
