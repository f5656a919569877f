#!/usr/bin/env python3
"""The include arrows between calcify's layers (docs/ARCHITECTURE.md).

Prints how many includes run from each layer to each other one, then every
include that runs upward (from a layer to one above it), and exits 1 if
there is any.  Usage: scripts/check-layers.py [REPO]"""
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
arrows = {}
bad = []
for d in ("src", "include"):
    for dp, _, fs in os.walk(os.path.join(root, d)):
        for f in fs:
            if not f.endswith((".c", ".h", ".cc")):
                continue
            p = os.path.join(dp, f)
            lf = layer_of_file(p)
            for inc in re.findall(r'#include "([^"]+)"', open(p).read()):
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
sys.exit(1 if bad else 0)
