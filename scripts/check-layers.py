#!/usr/bin/env python3
"""The include arrows between calcify's layers (docs/ARCHITECTURE.md).

Prints how many includes run from each layer to each other one, then every
include that runs upward (from a layer to one above it), and exits 1 if
there is any.  Also exits 1 if code outside the model layer (src/model,
calcify/model.h, calcify/params.h, calcify/modeldef.h) and the SBML
transcription (src/sbml) names the shipped model's own constants or tables
(CALCIFY_S_*, CALCIFY_P_*, CALCIFY_NSTATE, calcify_param_defs, …): the
layers above read the model through its descriptor, calcify_modeldef
(docs/ARCHITECTURE.md, "The model interface").  Comments may name them.
Usage: scripts/check-layers.py [REPO]"""
import os, re, sys
root = sys.argv[1] if len(sys.argv) > 1 else "."
order = ["base", "model", "engine", "scenario", "run", "analysis", "sbml", "cli"]
public = {
    "status": "base", "units": "base", "numfmt": "base", "output": "base", "timegrid": "base",
    "model": "model", "params": "model", "modeldef": "model",
    "solver": "engine",
    "dosing": "scenario", "scenario": "scenario", "observables": "scenario",
    "simulate": "run", "endpoints": "run", "probe": "run", "batch": "run", "meta": "run",
    "runner": "run",
    "design": "analysis", "sobolseq": "analysis", "fit": "analysis", "gsa": "analysis",
    "population": "analysis", "sensitivity": "analysis", "sweep": "analysis",
    "targets": "analysis", "calcify": "cli",
}
def layer_of_include(inc):
    if inc.startswith("calcify/"):
        return public.get(os.path.splitext(os.path.basename(inc))[0])
    top = inc.split("/")[0]
    return top if top in order else None
def layer_of_file(path):
    rel = os.path.relpath(path, root)
    parts = rel.split(os.sep)
    if parts[0] == "src":
        return parts[1]
    if parts[0] == "include":
        return public.get(os.path.splitext(parts[-1])[0])
    return None
# the shipped model's own names, for src/model and src/sbml only
model_only = re.compile(
    r"\bCALCIFY_(?:S|P|O|IN|U)_[A-Z0-9_]+\b|\bCALCIFY_N(?:STATE|PARAM|OBS|INPUT|U)\b"
    r"|\bcalcify_(?:param_defs|obs_names|param_find|param_index|state_index|obs_index"
    r"|input_index)\b"
    r"|\bcalcify_model_(?:init|set_reference|inputs|rhs|jac|steady_guess|observe)\b")
def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)
arrows = {}
bad = []
leaks = []
for d in ("src", "include"):
    for dp, _, fs in os.walk(os.path.join(root, d)):
        for f in fs:
            if not f.endswith((".c", ".h", ".cc")):
                continue
            p = os.path.join(dp, f)
            lf = layer_of_file(p)
            text = open(p).read()
            if lf not in ("model", "sbml"):
                for n, line in enumerate(strip_comments(text).split("\n"), 1):
                    for m in model_only.finditer(line):
                        leaks.append(f"{os.path.relpath(p, root)}:{n}: {m.group(0)}")
            for inc in re.findall(r'#include "([^"]+)"', text):
                li = layer_of_include(inc)
                if not lf or not li or lf == li:
                    continue
                arrows[(lf, li)] = arrows.get((lf, li), 0) + 1
                if order.index(li) > order.index(lf):
                    bad.append(f"{os.path.relpath(p, root)} -> {inc} ({lf} -> {li})")
for (a, b), n in sorted(arrows.items(), key=lambda x: (order.index(x[0][0]), order.index(x[0][1]))):
    print(f"{a:9s} -> {b:9s} {n}")
print("upward:", len(bad))
for b in bad:
    print("  ", b)
print("model constants outside src/model and src/sbml:", len(leaks))
for l in leaks:
    print("  ", l, "(read it from the model's calcify_modeldef instead)")
sys.exit(1 if bad or leaks else 0)
