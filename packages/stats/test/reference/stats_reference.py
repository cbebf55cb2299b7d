"""Reference values for test/stats.test.ts, from SciPy.

Run: /usr/bin/python3 test/reference/stats_reference.py > test/reference/stats-values.json
(from packages/stats; the versions used are printed in the output's "versions" field).
"""
import json
import sys

import numpy as np
import scipy
from scipy import special, stats

out = {"versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__}}
f = float

out["norm_two_sided"] = [[z, f(2 * stats.norm.sf(abs(z)))] for z in [0, 0.3, 1.959963984540054, -2.5, 6, -12, 30]]
# Either side of the three ranges of Cody's approximations (|z| = 0.67448975, sqrt(32)) and far out.
out["norm_edges"] = [[z, f(special.ndtr(z)), f(special.log_ndtr(z))] for z in [
    -0.6744897, 0.6744898, -0.67449, 0.6745, -5.6568542, 5.6568543, -5.657, 5.657, -20, 12, -37.5, -38.4, 1e-12, -1e3, -1e8]]
out["t_cdf"] = [[t, df, f(stats.t.cdf(t, df))] for t, df in [(-1.5, 7), (0.3, 2.5), (2.2, 12), (-8, 3), (6, 30), (0, 5), (-25, 4.5)]]
out["t_ppf"] = [[p, df, f(stats.t.ppf(p, df))] for p, df in [
    (0.975, 10), (0.025, 3), (0.9, 1), (0.999, 2), (0.6, 4.5), (1e-10, 5), (0.975, 61.57364256), (0.95, 1000), (0.975, 8),
    (0.5000001, 7), (1e-6, 1.5), (0.99, 3.3)]]
out["chi2_sf"] = [[x, df, f(stats.chi2.sf(x, df))] for x, df in [(10, 3), (0.5, 1), (120, 2), (30, 40), (5, 5), (0.01, 4), (400, 10)]]
out["beta_cdf"] = [[x, a, b, f(stats.beta.cdf(x, a, b))] for x, a, b in [(0.3, 2, 5), (0.9, 0.5, 0.5), (0.1, 120, 880), (0.5, 30, 30), (0.999, 3, 0.2)]]
out["betaln"] = [[a, b, f(special.betaln(a, b))] for a, b in [(0.5, 0.5), (3, 4), (150.5, 850.5), (1e-3, 2), (1e5, 2.5)]]
out["gammainc"] = [[a, x, f(special.gammainc(a, x))] for a, x in [(1.5, 2), (0.1, 0.01), (30, 28), (3, 40)]]
out["binomtest"] = [[k, n, p, f(stats.binomtest(k, n, p).pvalue)] for k, n, p in [(2, 3, 0.8), (7, 20, 0.95), (50, 100, 0.5), (0, 10, 0.1), (13, 40, 0.2)]]

x = np.array([0.0, 1.5, 2.0, 3.25, 4.0, 7.0, 9.5])
y = np.array([1.0, 2.9, 3.1, 5.2, 4.8, 9.9, 13.0])
w = np.array([1.0, 2.0, 0.5, 1.0, 3.0, 0.25, 1.5])
fit = stats.linregress(x, y)
out["linregress"] = {"x": x.tolist(), "y": y.tolist(), "slope": f(fit.slope), "intercept": f(fit.intercept),
                     "sxx": f(np.sum((x - x.mean()) ** 2)), "syy": f(np.sum((y - y.mean()) ** 2)),
                     "sxy": f(np.sum((x - x.mean()) * (y - y.mean())))}
# np.polyfit weights multiply the residuals, so sqrt(w) minimises Σ w·residual².
slope, intercept = np.polyfit(x, y, 1, w=np.sqrt(w))
out["weighted"] = {"w": w.tolist(), "slope": f(slope), "intercept": f(intercept), "meanX": f(np.average(x, weights=w)),
                   "meanY": f(np.average(y, weights=w))}


def mulberry32(seed):
    """The same generator in Python, to pin the sequence independently of the TypeScript."""
    a = seed & 0xFFFFFFFF
    while True:
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        yield ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296


gen = mulberry32(42)
out["mulberry32_42"] = [next(gen) for _ in range(5)]
gen = mulberry32(2**32 + 7)
out["mulberry32_2pow32_plus_7"] = [next(gen) for _ in range(3)]

json.dump(out, sys.stdout, indent=1)
print()
