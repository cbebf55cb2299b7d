import { expect } from 'vitest';

/** |actual − expected| below `relative`·|expected| (default 1e-9), or below 1e-12 when 0 is expected. */
export function expectClose(actual: number, expected: number, relative = 1e-9): void {
  const tolerance = expected === 0 ? 1e-12 : relative * Math.abs(expected);
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThan(tolerance);
}
