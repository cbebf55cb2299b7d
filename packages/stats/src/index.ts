/**
 * @skills/stats: the statistics the analytics packages share (distributions, special functions,
 * robust order statistics, least squares, a seeded PRNG). Pure functions of numbers: no store,
 * no I/O, no dependencies.
 */
export {
  incompleteBeta,
  incompleteGamma,
  log1mExp,
  logBeta,
  logGamma,
  logIncompleteBeta,
  logIncompleteGamma,
} from './special-functions.js';
export { normalCdf, normalLogCdf, normalQuantile, normalQuantileFromLog, normalTwoSidedP } from './normal.js';
export { studentTCdf, studentTLogTail, studentTQuantile, studentTTwoSidedP } from './student-t.js';
export {
  betaBinomialLogCdf,
  betaBinomialLogSf,
  betaCdf,
  binomialLogCdf,
  binomialLogSf,
  binomialTwoSidedPValue,
  chiSquareSurvival,
  fisherLogSf,
  negativeBinomialLogCdf,
  negativeBinomialLogSf,
} from './distributions.js';
export { leastSquares, type LeastSquares } from './least-squares.js';
export { leaveOneOutMedians, median, trimmedMean, trimmedVarianceRatio, weightedMedian } from './robust.js';
export { sampleIndexes, seededRandom } from './random.js';
