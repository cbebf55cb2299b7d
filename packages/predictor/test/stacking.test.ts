import { describe, expect, it } from 'vitest';
import { applyStacking, fitStacking } from '../src/calibration.js';

// Reference values: scikit-learn 1.2.1 / NumPy 1.24.2 / statsmodels 0.13.5 (Debian, /usr/bin/python3):
//   LogisticRegression(penalty=None, tol=1e-12, max_iter=10000).fit(X, y)
//   with X = [logit(forest), logit(baseline)] (or [logit(forest)] alone for the refit);
//   anchored: sm.GLM(y, logit(forest) - logit(baseline), family=Binomial(), offset=logit(baseline)).fit(tol=1e-12)
/** Agreement to 4 significant digits. */
const expectSignificant = (actual: number, expected: number) => expect(Math.abs(actual / expected - 1)).toBeLessThan(1e-4);

const forest = [0.2, 0.35, 0.6, 0.8, 0.55, 0.9, 0.15, 0.7, 0.4, 0.65, 0.3, 0.85];
const labels = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1];
const baseline = [0.5, 0.45, 0.6, 0.7, 0.4, 0.75, 0.5, 0.55, 0.65, 0.6, 0.35, 0.8];

describe('fitStacking', () => {
  it('fits the logistic regression of labels on both logits (scikit-learn: −1.92795, 1.13424, 6.27071)', () => {
    const fit = fitStacking([forest, baseline], labels);
    expectSignificant(fit.intercept, -1.927948901860354);
    expectSignificant(fit.weights[0]!, 1.1342444827880145);
    expectSignificant(fit.weights[1]!, 6.270708266701798);
  });

  it('drops an input whose weight comes out negative and refits the rest (scikit-learn forest only: −0.404426, 2.022629)', () => {
    // Full fit: forest 0.0432, baseline −3.10: the baseline runs against the labels here.
    const against = [0.8, 0.7, 0.4, 0.3, 0.6, 0.2, 0.75, 0.45, 0.5, 0.35, 0.65, 0.25];
    const fit = fitStacking([forest, against], labels);
    expect(fit.weights[1]).toBe(0);
    expectSignificant(fit.intercept, -0.40442576725157026);
    expectSignificant(fit.weights[0]!, 2.022629404502078);
  });

  it('anchored on the baseline: no intercept, weights summing to 1 (statsmodels offset GLM: forest 1.098871)', () => {
    const fit = fitStacking([forest, baseline], labels, { anchor: 1 });
    expect(fit.intercept).toBe(0);
    expectSignificant(fit.weights[0]!, 1.098870566328353);
    expect(fit.weights[0]! + fit.weights[1]!).toBeCloseTo(1, 12);
  });

  it('maps through the logistic of the weighted logits', () => {
    const p = applyStacking({ intercept: 0.5, weights: [1, 0] }, [0.5, 0.9]);
    expect(p).toBeCloseTo(1 / (1 + Math.exp(-0.5)), 12);
  });

  it('rejects inputs of different lengths and an anchor that is not an input', () => {
    expect(() => fitStacking([forest, baseline.slice(1)], labels)).toThrow(/equal, non-empty inputs/);
    expect(() => fitStacking([forest], labels, { anchor: 1 })).toThrow(/anchor must be an input index \(got 1\)/);
  });
});
