"""Reference values of beta-binomial tails, from SciPy (for betaBinomialLogCdf / betaBinomialLogSf in test/distributions.test.ts).

Run: /usr/bin/python3 test/reference/scipy_betabinom_reference.py > test/reference/scipy-betabinom-values.json
(the Python, NumPy and SciPy versions that produced the values are in the output's "versions" field).
"lower": ln P(X <= k), "lower_mid": ln(P(X < k) + P(X = k)/2), "upper": ln P(X >= k), "upper_mid": ln(P(X > k) + P(X = k)/2).
"""
import json
import sys

import numpy as np
import scipy
from scipy import stats

CASES = [(4, 16, 61.5, 24.5), (0, 6, 66.4, 23.6), (0, 1, 3.2, 0.8), (3, 10, 0.7, 0.7), (40, 200, 980.0, 20.0), (95, 100, 9.0, 1.0), (12, 12, 50.0, 2.5), (7, 60, 5.5, 30.25)]
out = {"versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__}}
rows = []
for k, n, a, b in CASES:
    d = stats.betabinom(n, a, b)
    pmf = float(d.pmf(k))
    rows.append({
        "k": k, "n": n, "a": a, "b": b,
        "lower": float(d.logcdf(k)),
        "lower_mid": float(np.log(d.cdf(k - 1) + pmf / 2)),
        "upper": float(d.logsf(k - 1)),
        "upper_mid": float(np.log(d.sf(k) + pmf / 2)),
    })
out["betabinom"] = rows
print(json.dumps(out, indent=1))
