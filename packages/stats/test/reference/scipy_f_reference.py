"""Reference values of Fisher's F survival function, from SciPy (for fisherLogSf in test/distributions.test.ts).

Run: /usr/bin/python3 test/reference/scipy_f_reference.py > test/reference/scipy-f-values.json
(the Python, NumPy and SciPy versions that produced the values are in the output's "versions" field).
"""
import json
import sys

import numpy as np
import scipy
from scipy import stats

out = {"versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__}}
out["f_logsf"] = [[f, d1, d2, float(stats.f.logsf(f, d1, d2))] for f, d1, d2 in [
    (0.5, 4, 10), (1, 2.4, 30), (2.5, 7.2, 41), (4, 12, 6), (30, 3, 200), (1.8, 24.8, 55)]]
print(json.dumps(out, indent=1))
