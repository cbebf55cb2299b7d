// jstat ships no types; only what this package calls is declared.
declare module 'jstat' {
  interface ContinuousDistribution {
    pdf(x: number, ...params: number[]): number;
    cdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
  }
  interface JStatStatic {
    normal: ContinuousDistribution;
    studentt: ContinuousDistribution;
    chisquare: ContinuousDistribution;
    beta: ContinuousDistribution;
    betaln(a: number, b: number): number;
    gammaln(x: number): number;
  }
  const jstat: { jStat: JStatStatic };
  export default jstat;
}
