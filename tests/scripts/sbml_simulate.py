#!/usr/bin/env python3
"""Simulate an SBML file written by `calcify sbml` and compare it with the CSV
of `calcify run` for the same arm, trusting nothing of calcify's code.

    sbml_simulate.py RUN.csv ARM=MODEL.xml... [--params PARAMS.tsv]

Reads ONLY the SBML (python3 libsbml): the right-hand side is built from the
rate rules and the assignment rules by walking their MathML trees into
Python, the events (triggers `time >= T`) restart the integration at T with
the new values, and scipy's solve_ivp (LSODA, rtol 1e-10, atol 1e-14)
integrates between them.  Every CSV observable (an assignment rule of the
column's name) is compared at every output time of the arm in RUN.csv:

    |sbml - calcify| <= 1e-6 |calcify| + 1e-9 max|column|

where max|column| is the column's largest magnitude over every arm in
RUN.csv: the floor is for values near zero (warfarin in the control arm is
1e-25 mg/L in one integrator and 1e-26 in the other, noise around a true 0,
where other arms reach 183 mg/L).  The deviation reported is
|sbml - calcify| / max(|calcify|, that floor).

With --params (the TSV of `calcify params SCENARIO`) it also checks that the
SBML's parameters are calcify's: every constant parameter is a `calcify
params` name with that value (to its 6 printed digits) and unit, or one of the
baseline references ref_clot, ref_ca, ref_apop; every `calcify params` name
is there.

Prints one line per arm: the largest deviation and where; exit 0 if
every value agrees, 1 if not, 2 on a file it cannot use.
"""
import csv
import math
import sys

import libsbml
import numpy as np
from scipy.integrate import solve_ivp

RTOL, ATOL = 1e-10, 1e-14
REL, FLOOR = 1e-6, 1e-9


def die(msg, code=2):
    print(f"sbml_simulate: {msg}", file=sys.stderr)
    sys.exit(code)


def ast_to_py(node):
    """A MathML tree as a Python expression over v_<id> names and t."""
    ty = node.getType()
    kids = [ast_to_py(node.getChild(i)) for i in range(node.getNumChildren())]
    if ty in (libsbml.AST_INTEGER, libsbml.AST_REAL, libsbml.AST_REAL_E, libsbml.AST_RATIONAL):
        return repr(float(node.getValue()))
    if ty == libsbml.AST_NAME:
        return "v_" + node.getName()
    if ty == libsbml.AST_NAME_TIME:
        return "t"
    if ty == libsbml.AST_CONSTANT_PI:
        return repr(math.pi)
    if ty == libsbml.AST_CONSTANT_E:
        return repr(math.e)
    if ty == libsbml.AST_CONSTANT_TRUE:
        return "True"
    if ty == libsbml.AST_CONSTANT_FALSE:
        return "False"
    if ty == libsbml.AST_PLUS:
        return "(" + " + ".join(kids) + ")" if kids else "0.0"
    if ty == libsbml.AST_MINUS:
        return f"(-{kids[0]})" if len(kids) == 1 else f"({kids[0]} - {kids[1]})"
    if ty == libsbml.AST_TIMES:
        return "(" + " * ".join(kids) + ")" if kids else "1.0"
    if ty == libsbml.AST_DIVIDE:
        return f"({kids[0]} / {kids[1]})"
    if ty in (libsbml.AST_POWER, libsbml.AST_FUNCTION_POWER):
        return f"_pow({kids[0]}, {kids[1]})"
    if ty == libsbml.AST_FUNCTION_ROOT:
        if len(kids) == 1 or kids[0] == "2.0":
            return f"_sqrt({kids[-1]})"
        return f"_pow({kids[1]}, 1.0 / {kids[0]})"
    funcs = {libsbml.AST_FUNCTION_EXP: "_exp", libsbml.AST_FUNCTION_LN: "_log",
             libsbml.AST_FUNCTION_ABS: "abs", libsbml.AST_FUNCTION_MAX: "max",
             libsbml.AST_FUNCTION_MIN: "min"}
    if ty in funcs:
        return f"{funcs[ty]}({', '.join(kids)})"
    rel = {libsbml.AST_RELATIONAL_GEQ: ">=", libsbml.AST_RELATIONAL_GT: ">",
           libsbml.AST_RELATIONAL_LEQ: "<=", libsbml.AST_RELATIONAL_LT: "<",
           libsbml.AST_RELATIONAL_EQ: "==", libsbml.AST_RELATIONAL_NEQ: "!="}
    if ty in rel and len(kids) == 2:
        return f"({kids[0]} {rel[ty]} {kids[1]})"
    if ty == libsbml.AST_LOGICAL_AND:
        return "(" + " and ".join(kids) + ")"
    if ty == libsbml.AST_LOGICAL_OR:
        return "(" + " or ".join(kids) + ")"
    if ty == libsbml.AST_LOGICAL_NOT:
        return f"(not {kids[0]})"
    if ty == libsbml.AST_FUNCTION_PIECEWISE:
        expr = kids[-1] if len(kids) % 2 else "float('nan')"
        pairs = kids[:len(kids) - len(kids) % 2]
        for k in range(len(pairs) - 2, -1, -2):
            expr = f"({pairs[k]} if {pairs[k + 1]} else {expr})"
        return expr
    die(f"unsupported MathML node '{node.getName() or ty}' in {libsbml.formulaToL3String(node)}")


def names_in(node, out):
    if node.getType() == libsbml.AST_NAME:
        out.add(node.getName())
    for i in range(node.getNumChildren()):
        names_in(node.getChild(i), out)
    return out


class Model:
    def __init__(self, path):
        doc = libsbml.readSBMLFromFile(path)
        if doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) + doc.getNumErrors(libsbml.LIBSBML_SEV_FATAL):
            die(f"{path}: libsbml cannot read it: {doc.getError(0).getMessage()}")
        m = doc.getModel()
        if m.getNumSpecies() or m.getNumReactions() or m.getNumInitialAssignments():
            die(f"{path}: species, reactions or initial assignments: not what calcify sbml writes")
        self.doc, self.m = doc, m
        self.values = {m.getParameter(i).getId(): m.getParameter(i).getValue()
                       for i in range(m.getNumParameters())}
        self.states, rates, assigned = [], {}, {}
        for i in range(m.getNumRules()):
            r = m.getRule(i)
            if r.isRate():
                self.states.append(r.getVariable())
                rates[r.getVariable()] = r.getMath()
            elif r.isAssignment():
                assigned[r.getVariable()] = r.getMath()
            else:
                die(f"{path}: algebraic rule: not supported")
        self.inputs = [k for k in self.values if k not in rates and k not in assigned]
        # assignment rules in an order where each reads only earlier ones
        order, done = [], set()

        def visit(v, stack=()):
            if v in done:
                return
            if v in stack:
                die(f"{path}: assignment rules form a cycle through {v}")
            for n in names_in(assigned[v], set()):
                if n in assigned:
                    visit(n, stack + (v,))
            done.add(v)
            order.append(v)
        for v in assigned:
            visit(v)
        self.assigned = order
        unpack = [f"    v_{s} = y[{i}]" for i, s in enumerate(self.states)]
        unpack += [f"    v_{p} = P[{i}]" for i, p in enumerate(self.inputs)]
        rules = [f"    v_{v} = {ast_to_py(assigned[v])}" for v in order]
        env = {"_pow": math.pow, "_sqrt": math.sqrt, "_exp": math.exp, "_log": math.log}
        src = ["def rhs(t, y, P):"] + unpack + rules
        src.append("    return [" + ", ".join(ast_to_py(rates[s]) for s in self.states) + "]")
        src += ["def observe(t, y, P):"] + unpack + rules
        src.append("    return {" + ", ".join(f"'{v}': v_{v}" for v in order) + "}")
        exec("\n".join(src), env)
        self.rhs, self.observe = env["rhs"], env["observe"]
        # events: (T, [(variable, python expression)])
        self.events = []
        for i in range(m.getNumEvents()):
            e = m.getEvent(i)
            tr = e.getTrigger().getMath()
            if (e.isSetDelay() or tr.getType() != libsbml.AST_RELATIONAL_GEQ
                    or tr.getChild(0).getType() != libsbml.AST_NAME_TIME
                    or not tr.getChild(1).isNumber()):
                die(f"{path}: event {e.getId()}: only 'time >= T' without delay is supported")
            assigns = []
            for k in range(e.getNumEventAssignments()):
                ea = e.getEventAssignment(k)
                fsrc = "\n".join(["def f(t, y, P):"] + unpack + rules
                                 + [f"    return {ast_to_py(ea.getMath())}"])
                fenv = dict(env)
                exec(fsrc, fenv)
                assigns.append((ea.getVariable(), fenv["f"]))
            T = tr.getChild(1).getValue()
            if T <= 0 and e.getTrigger().getInitialValue():
                continue  # true from the start: never fires
            self.events.append((max(T, 0.0), assigns))
        self.events.sort(key=lambda ev: ev[0])

    def simulate(self, times):
        """Observables at `times` (increasing): dicts, one per time."""
        y = np.array([self.values[s] for s in self.states], dtype=float)
        P = [self.values[p] for p in self.inputs]
        t_end = times[-1]
        bounds = sorted({0.0, t_end} | {T for T, _ in self.events if T < t_end})
        rows, k = [], 0
        for seg in range(len(bounds) - 1):
            a, b = bounds[seg], bounds[seg + 1]
            if True:  # events at a: every value from before, then assigned
                new = [(v, f(a, y, P)) for T, assigns in self.events if T == a
                       for v, f in assigns]
                for v, val in new:
                    if v in self.states:
                        y[self.states.index(v)] = val
                    else:
                        P[self.inputs.index(v)] = val
            last = seg == len(bounds) - 2
            t_eval = [t for t in times[k:] if t < b or (last and t <= b)]
            if b > a:
                sol = solve_ivp(lambda t, yy: self.rhs(t, yy, P), (a, b), y, method="LSODA",
                                rtol=RTOL, atol=ATOL, t_eval=sorted(set(t_eval + [b])))
                if not sol.success:
                    die(f"solve_ivp failed on [{a}, {b}]: {sol.message}", 1)
                at = {float(t): sol.y[:, j] for j, t in enumerate(sol.t)}
                for t in t_eval:
                    rows.append(self.observe(t, at[t], P))
                y = sol.y[:, -1].copy()
            k += len(t_eval)
        return rows


def check_params(model, path):
    """Every constant parameter is a calcify params name with its value and
    unit, or a reference; every calcify params name is there."""
    with open(path, newline="") as f:
        table = {r["name"]: r for r in csv.DictReader(f, delimiter="\t")}
    bad = []
    m = model.m
    refs = {"ref_clot", "ref_ca", "ref_apop"}
    for i in range(m.getNumParameters()):
        p = m.getParameter(i)
        pid = p.getId()
        if not p.getConstant():
            continue
        if pid in refs:
            continue
        if pid not in table:
            bad.append(f"constant parameter '{pid}' is no calcify params name")
            continue
        want = float(table[pid]["value"])
        if abs(p.getValue() - want) > 5e-6 * abs(want):
            bad.append(f"{pid} = {p.getValue()!r}, calcify params {want!r}")
        unit = table[pid]["unit"]
        uid = "dimensionless" if unit == "1" else unit.replace("1/", "per_").replace("/", "_per_")
        if p.getUnits() != uid:
            bad.append(f"{pid}: units '{p.getUnits()}', calcify params '{unit}'")
    missing = [n for n in table if m.getParameter(n) is None]
    bad += [f"calcify params '{n}' is not in the SBML" for n in missing]
    for b in bad:
        print(f"sbml_simulate: {b}", file=sys.stderr)
    return len(table), bad


def compare(arm, model, rows, colmax):
    """Failures of one arm's observables against its rows of RUN.csv."""
    columns = list(colmax)
    missing = [c for c in columns if c not in model.assigned]
    if missing:
        die(f"{arm}: no assignment rule for the columns {', '.join(missing)}", 1)
    times = [float(r["time_d"]) for r in rows]
    sim = model.simulate(times)
    worst, where, failures = 0.0, "", 0
    for c in columns:
        ref = np.array([float(r[c]) if r[c] else math.nan for r in rows])
        got = np.array([s[c] for s in sim])
        floor = FLOOR * colmax[c]
        dev = np.abs(got - ref)
        scale = np.maximum(np.abs(ref), floor)
        rel = dev / np.where(scale > 0, scale, 1.0)
        bad = ~(dev <= REL * np.abs(ref) + floor)
        failures += int(bad.sum())
        j = int(np.nanargmax(rel))
        if rel[j] > worst or not where:
            worst, where = float(rel[j]), f"{c} at day {times[j]:g}"
        for j in np.flatnonzero(bad)[:3]:
            print(f"sbml_simulate: {arm}: {c} at day {times[j]:g}: SBML {got[j]!r}, "
                  f"calcify {ref[j]!r}", file=sys.stderr)
    print(f"{arm}: {len(times)} times x {len(columns)} columns: largest deviation "
          f"{worst:.2e} ({where}); {failures} outside 1e-6 relative + 1e-9 of the column's max")
    return failures


def main(argv):
    args = argv[1:]
    params = None
    if "--params" in args:
        i = args.index("--params")
        params = args[i + 1]
        del args[i:i + 2]
    if len(args) < 2 or any("=" not in a for a in args[1:]):
        die("usage: sbml_simulate.py RUN.csv ARM=MODEL.xml... [--params PARAMS.tsv]")
    with open(args[0], newline="") as f:
        all_rows = list(csv.DictReader(f))
    if not all_rows:
        die(f"{args[0]}: no rows")
    colmax = {c: max(abs(float(r[c])) for r in all_rows if r[c])
              for c in all_rows[0] if c not in ("arm", "time_d", "phase")}
    failed = 0
    for pair in args[1:]:
        arm, xml = pair.split("=", 1)
        model = Model(xml)
        if params:
            n, bad = check_params(model, params)
            failed += len(bad)
            print(f"{arm}: {n} calcify params names: "
                  f"{'each a constant parameter, same value and unit' if not bad else f'{len(bad)} problems'}")
        rows = [r for r in all_rows if r["arm"] == arm]
        if not rows:
            die(f"{args[0]}: no rows for arm '{arm}'")
        failed += compare(arm, model, rows, colmax)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
