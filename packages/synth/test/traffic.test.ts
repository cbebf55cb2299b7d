import { describe, expect, it } from 'vitest';
import { DAY, generateAll, HOUR, utcHour } from './fixtures.js';

// 2026-01-05 is a Monday: four whole weeks.
const start = Date.UTC(2026, 0, 5);
const { truth, invocations } = generateAll({ invocations: 200_000, users: 100, skills: 30, days: 28, seed: 5, start });

const perHour = new Array<number>(28 * 24).fill(0);
for (const invocation of invocations) {
  const h = Math.floor((invocation.invoked_at - start) / HOUR);
  perHour[h] = (perHour[h] ?? 0) + 1;
}
const isWeekday = (h: number): boolean => Math.floor(h / 24) % 7 < 5;
const weekdayHours = (hourOfDay: number): number[] => perHour.filter((_, h) => isWeekday(h) && h % 24 === hourOfDay);
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

describe('traffic seasonality', () => {
  it('publishes the hourly curve: peak 1 at 14:00 UTC, 15% of it at night', () => {
    const weights = truth.traffic.hourlyWeights;
    expect(weights).toHaveLength(24);
    expect(weights[14]).toBe(1);
    expect(Math.max(...weights)).toBe(1);
    expect(weights[2]).toBe(0.1524);
    expect(truth.traffic.weekendFactor).toBe(0.4);
  });

  it('peaks around 14:00 UTC with nights at 10–20% of the peak', () => {
    const peak = mean(weekdayHours(14));
    const night = mean([1, 2, 3, 4].flatMap((h) => weekdayHours(h)));
    expect(night / peak).toBeGreaterThan(0.1);
    expect(night / peak).toBeLessThan(0.2);
    const byHour = Array.from({ length: 24 }, (_, h) => mean(weekdayHours(h)));
    expect(byHour.indexOf(Math.max(...byHour))).toBeGreaterThanOrEqual(13);
    expect(byHour.indexOf(Math.max(...byHour))).toBeLessThanOrEqual(15);
  });

  it('puts about 40% of a weekday’s traffic on a weekend day', () => {
    const perDay = Array.from({ length: 28 }, (_, d) => perHour.slice(d * 24, d * 24 + 24).reduce((a, b) => a + b, 0));
    const weekend = mean(perDay.filter((_, d) => d % 7 >= 5));
    const weekday = mean(perDay.filter((_, d) => d % 7 < 5));
    expect(weekend / weekday).toBeGreaterThan(0.33);
    expect(weekend / weekday).toBeLessThan(0.47);
  });

  it('varies hourly counts like a Poisson process, not a fixed schedule', () => {
    const counts = weekdayHours(14);
    const m = mean(counts);
    const variance = mean(counts.map((c) => (c - m) ** 2));
    expect(new Set(counts).size).toBeGreaterThan(10);
    // Poisson gives variance ≈ mean; the day-to-day factor adds some more.
    expect(variance / m).toBeGreaterThan(0.7);
  });

  it('dates invocations by UTC hour consistently with the curve', () => {
    const at14 = invocations.filter((i) => utcHour(i.invoked_at) === 14).length;
    const at03 = invocations.filter((i) => utcHour(i.invoked_at) === 3).length;
    expect(at14 / at03).toBeGreaterThan(5);
    expect(invocations.every((i) => i.invoked_at >= start && i.invoked_at < start + 28 * DAY)).toBe(true);
  });
});
