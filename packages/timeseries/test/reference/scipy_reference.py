"""Reference values for the statistics tests, from SciPy.

Run: python3 test/reference/scipy_reference.py > test/reference/scipy-values.json
(the values in the tests were produced with Python 3, NumPy and SciPy versions printed in the
output's "versions" field).
"""
import json
import sys

import numpy as np
import scipy
from scipy import special, stats

out = {"versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__}}

# Special functions.
out["gammaln"] = [[x, float(special.gammaln(x))] for x in [0.1, 0.5, 1, 2.5, 10, 171.3, 1e4]]
out["betainc"] = [[a, b, x, float(special.betainc(a, b, x))] for a, b, x in [
    (0.5, 0.5, 0.2), (2, 3, 0.4), (10, 20, 0.3), (50, 5, 0.95), (200.5, 0.5, 0.999), (1000, 1000, 0.48), (3, 7.5, 0.9)]]
out["gammainc"] = [[a, x, float(special.gammainc(a, x)), float(special.gammaincc(a, x))] for a, x in [
    (0.5, 0.1), (1.5, 2), (5, 3), (20, 25), (100, 80), (0.5, 50)]]

# Distributions.
out["norm_cdf"] = [[z, float(stats.norm.cdf(z)), float(stats.norm.logcdf(z))] for z in [-40, -10, -3, -1.5, 0, 0.7, 2.5, 8]]
out["norm_ppf"] = [[p, float(stats.norm.ppf(p))] for p in [1e-300, 1e-20, 1e-5, 0.025, 0.3, 0.5, 0.8, 0.999999]]
out["t_two_sided"] = [[t, df, float(2 * stats.t.sf(abs(t), df))] for t, df in [(0.5, 3), (2.1, 5), (-3.7, 10), (12, 4), (1.96, 1000)]]
out["t_logsf"] = [[t, df, float(stats.t.logsf(t, df))] for t, df in [(3, 5), (10, 8), (40, 30)]]
out["binom_cdf"] = [[k, n, p, float(stats.binom.logcdf(k, n, p))] for k, n, p in [(1, 2, 0.98), (160, 200, 0.98), (3, 10, 0.5), (0, 5, 0.94), (45, 50, 0.95)]]
out["binom_sf"] = [[k, n, p, float(stats.binom.logsf(k - 1, n, p))] for k, n, p in [(2, 2, 0.5), (30, 50, 0.4), (10, 10, 0.6)]]
out["poisson"] = [[k, mu, float(stats.poisson.logcdf(k, mu)), float(stats.poisson.logsf(k - 1, mu))] for k, mu in [(0, 3), (5, 2.5), (40, 20), (2, 0.1)]]
# Negative binomial with mean mu and size r: scipy's nbinom(n=r, p=r/(r+mu)).
out["nbinom"] = [[k, mu, r, float(stats.nbinom.logcdf(k, r, r / (r + mu))), float(stats.nbinom.logsf(k - 1, r, r / (r + mu)))] for k, mu, r in [
    (0, 2, 1.5), (10, 4, 5), (200, 100, 44.4), (22, 2.75, 1.3)]]

# Trend statistics.
x = list(range(10))
y1 = [0.81, 0.83, 0.80, 0.86, 0.84, 0.88, 0.87, 0.90, 0.89, 0.93]
y2 = [5, 3, 3, 3, 4, 6, 6, 6, 2, 7, 7, 8]  # ties
y3 = [10.2, 9.8, 10.5, 10.1, 9.9, 10.4, 10.0, 10.3, 9.7, 10.1]  # no trend
lr = lambda xs, ys: (lambda r: {"slope": r.slope, "intercept": r.intercept, "r": r.rvalue, "p": r.pvalue, "stderr": r.stderr})(stats.linregress(xs, ys))
out["linregress"] = [{"x": x, "y": y1, **lr(x, y1)}, {"x": list(range(12)), "y": y2, **lr(list(range(12)), y2)}, {"x": x, "y": y3, **lr(x, y3)}]


def mann_kendall(y):
    """pymannkendall.original_test, written out: S, tie-corrected variance, continuity-corrected z."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    s = sum(np.sign(y[j] - y[i]) for i in range(n - 1) for j in range(i + 1, n))
    _, counts = np.unique(y, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - np.sum(counts * (counts - 1) * (2 * counts + 5))) / 18
    z = (s - 1) / np.sqrt(var) if s > 0 else (s + 1) / np.sqrt(var) if s < 0 else 0.0
    p = 2 * (1 - stats.norm.cdf(abs(z)))
    return {"s": float(s), "var": float(var), "z": float(z), "p": float(p), "tau": float(s / (0.5 * n * (n - 1)))}


out["mann_kendall"] = [{"y": y, **mann_kendall(y)} for y in [y1, y2, y3]]
# Cross-check of the tie-corrected variance: Kendall's tau-b test against time, without continuity correction.
out["kendalltau_check"] = [{"y": y, "tau_b": float(stats.kendalltau(list(range(len(y))), y).statistic)} for y in [y1, y2]]
ts = lambda xs, ys: (lambda r: {"slope": r.slope, "intercept": r.intercept, "low": r.low_slope, "high": r.high_slope})(stats.theilslopes(ys, xs))
y4 = [1, 2, 3, 4, 100, 6, 7, -50, 9, 10]  # outliers
out["theilslopes"] = [{"x": x, "y": y1, **ts(x, y1)}, {"x": list(range(12)), "y": y2, **ts(list(range(12)), y2)}, {"x": x, "y": y4, **ts(x, y4)}]
print(json.dumps(out, indent=1))
