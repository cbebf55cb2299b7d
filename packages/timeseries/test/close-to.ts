import { expect } from 'vitest';

/** Equal to `expected` within a relative tolerance (default 1e-9, far beyond the 4 digits asked). */
export function expectClose(actual: number, expected: number, relative = 1e-9): void {
  if (expected === 0) {
    expect(Math.abs(actual)).toBeLessThan(1e-12);
    return;
  }
  expect(Math.abs(actual - expected) / Math.abs(expected), `${actual} vs ${expected}`).toBeLessThan(relative);
}
