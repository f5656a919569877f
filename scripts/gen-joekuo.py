#!/usr/bin/python3
"""Regenerate src/analysis/sobolseq_data.c from Joe & Kuo's table new-joe-kuo-6.21201.

Usage: scripts/gen-joekuo.py TABLE [DIMS] > src/analysis/sobolseq_data.c

TABLE is the authors' text file (columns d s a m_1 .. m_s, one header line),
or the copy Debian's python3-scipy ships as
/usr/lib/python3/dist-packages/scipy/stats/_sobol_direction_numbers.npz
(arrays poly = the polynomial with leading and constant terms, vinit = m).
"""
import sys

def rows_from_text(path):
    yield 1, [1]  # dimension 1: van der Corput (not listed in the table)
    with open(path) as f:
        next(f)
        for line in f:
            d, s, a, *m = (int(x) for x in line.split())
            yield (1 << s) | (a << 1) | 1, m

def rows_from_npz(path):
    import numpy as np
    z = np.load(path)
    for p, v in zip(z["poly"], z["vinit"]):
        s = max(int(p).bit_length() - 1, 1)
        yield int(p), [int(x) for x in v[:s]]

def main():
    path = sys.argv[1]
    dims = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    rows = rows_from_npz(path) if path.endswith(".npz") else rows_from_text(path)
    rows = [r for _, r in zip(range(dims), rows)]
    print(open(__file__.replace("gen-joekuo.py", "joekuo-header.txt")).read() % dims, end="")
    print("#include \"sobolseq_data.h\"\n")
    print("const unsigned calcify_joekuo_dims = %d;\n" % dims)
    print("const unsigned short calcify_joekuo_poly[%d] = {" % dims)
    polys = [str(p) for p, _ in rows]
    for i in range(0, dims, 12):
        print("    " + ", ".join(polys[i:i + 12]) + ",")
    print("};\n")
    print("const unsigned short calcify_joekuo_m[%d][CALCIFY_JOEKUO_MAXDEG] = {" % dims)
    for p, m in rows:
        assert all(x % 2 == 1 and x < (2 << k) for k, x in enumerate(m))
        assert len(m) <= 13
        print("    {" + ", ".join(map(str, m)) + "},")
    print("};")

main()
