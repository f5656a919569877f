#!/bin/bash
# No include runs from a lower layer of src/ to a higher one
# (docs/ARCHITECTURE.md); the counts of every arrow are printed.
set -euo pipefail
exec python3 scripts/check-layers.py .
