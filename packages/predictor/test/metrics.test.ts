import { describe, expect, it } from 'vitest';
import { applyIsotonic, brierScore, calibrationTable, expectedCalibrationError, fitIsotonic, logLoss, rocAuc } from '../src/index.js';

// Reference values: scikit-learn 1.2.1 (Debian python3-sklearn), /usr/bin/python3:
//   roc_auc_score(y, p), brier_score_loss(y, p), log_loss(y, p),
//   calibration_curve(y, p, n_bins=10, strategy='uniform'),
//   IsotonicRegression(out_of_bounds='clip').fit(S, L).predict(Q)
//   ECE: prob_true, prob_pred = calibration_curve(y, p, n_bins=10); counts = np.bincount(
//   np.searchsorted(np.linspace(0, 1, 11)[1:-1], p), minlength=10); counts = counts[counts > 0];
//   sum(counts * abs(prob_true - prob_pred)) / len(p)  (no p on a bin edge here: sklearn's bins close on the right, ours on the left)
const p = [0.12, 0.55, 0.55, 0.83, 0.31, 0.97, 0.05, 0.64, 0.42, 0.77, 0.55, 0.26, 0.91, 0.38, 0.69];
const y = [0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1];

describe('metrics against scikit-learn', () => {
  it('rocAuc counts ties as one half (0.8571428571428572)', () => {
    expect(rocAuc(p, y)).toBeCloseTo(0.8571428571428572, 10);
  });
  it('brierScore is the mean squared error (0.15369333333333332)', () => {
    expect(brierScore(p, y)).toBeCloseTo(0.15369333333333332, 10);
  });
  it('logLoss is the mean negative log-likelihood (0.463727637248681)', () => {
    expect(logLoss(p, y)).toBeCloseTo(0.463727637248681, 10);
  });
  it('calibrationTable matches calibration_curve on the non-empty bins', () => {
    const bins = calibrationTable(p, y).filter((b) => b.count > 0);
    expect(bins.map((b) => b.observedRate)).toEqual([0, 0, 0, 0.5, 0, 2 / 3, 1, 0, 1, 1].map((v) => expect.closeTo(v, 10)));
    expect(bins.map((b) => b.meanPredicted)).toEqual(
      [0.05, 0.12, 0.26, 0.345, 0.42, 0.55, 0.665, 0.77, 0.83, 0.94].map((v) => expect.closeTo(v, 10)),
    );
  });
  it("expectedCalibrationError weights each bin's gap by its share of the rows (0.21600000000000003)", () => {
    expect(expectedCalibrationError(p, y)).toBeCloseTo(0.21600000000000003, 12);
  });
  it('isotonic calibration predicts as IsotonicRegression', () => {
    const fit = fitIsotonic([0.1, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], [0, 1, 0, 0, 1, 0, 1, 1]);
    const q = [0.1, 0.2, 0.25, 0.3, 0.45, 0.55, 0.7, 0.9].map((s) => applyIsotonic(fit, s));
    expect(q).toEqual([0, 1 / 3, 1 / 3, 1 / 3, 0.5, 0.75, 1, 1].map((v) => expect.closeTo(v, 10)));
  });
});

describe('metric edge cases', () => {
  it('rocAuc is NaN with one class and 0.5 when every score ties', () => {
    expect(rocAuc([0.2, 0.4], [1, 1])).toBeNaN();
    expect(rocAuc([0.3, 0.3, 0.3, 0.3], [0, 1, 0, 1])).toBe(0.5);
  });
  it('logLoss clips certain wrong answers instead of returning Infinity', () => {
    const loss = logLoss([0, 1], [1, 0]);
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeCloseTo(34.5, 0);
  });
  it('fitIsotonic pools a decreasing run into its mean', () => {
    expect(fitIsotonic([0.1, 0.2, 0.3], [1, 0, 1])).toEqual({ x: [0.1, 0.2, 0.3], y: [0.5, 0.5, 1] });
  });
});
