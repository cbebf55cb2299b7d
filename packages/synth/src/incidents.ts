import type { Random } from './random.js';
import { round } from './skill-profiles.js';
import type { Incident, IncidentKind, SuccessModel } from './types.js';

const HOUR = 3_600_000;

/** Under the random model success must not depend on anything, so no success drops. */
function kindsFor(model: SuccessModel): readonly IncidentKind[] {
  return model === 'random' ? ['volume_spike', 'latency_regression'] : ['success_drop', 'volume_spike', 'latency_regression'];
}

function drawMagnitude(kind: IncidentKind, random: Random): number {
  if (kind === 'success_drop') return round(random.range(0.2, 0.6), 2);
  if (kind === 'volume_spike') return round(random.range(3, 10), 1);
  return round(random.range(2, 5), 1);
}

/**
 * Places `count` incidents: the i-th starts, on a whole hour, somewhere in the i-th of `count`
 * equal slices of the window and lasts 2–12 hours; kinds rotate; skills cycle through the head
 * (top 10% by popularity), the middle (up to 50%) and the tail, so small and large skills are hit.
 * The first incident is always a success drop (under the structured model) on a head skill.
 *
 * @param popularity skill names with their expected traffic share
 */
export function placeIncidents(
  count: number,
  popularity: readonly { name: string; popularity: number }[],
  window: { start: number; hours: number },
  model: SuccessModel,
  random: Random,
): Incident[] {
  const kinds = kindsFor(model);
  const ranked = popularity
    .map((skill, index) => ({ name: skill.name, popularity: skill.popularity, index }))
    .sort((a, b) => b.popularity - a.popularity || a.index - b.index)
    .map((skill) => skill.name);
  const headEnd = Math.max(1, Math.ceil(ranked.length * 0.1));
  const middleEnd = Math.max(headEnd, Math.ceil(ranked.length * 0.5));
  const tiers = [ranked.slice(0, headEnd), ranked.slice(headEnd, middleEnd), ranked.slice(middleEnd)].filter((tier) => tier.length > 0);

  const cycle = leastCommonMultiple(kinds.length, tiers.length);
  const incidents: Incident[] = [];
  const slice = window.hours / count;
  for (let i = 0; i < count; i++) {
    // Tiers cycle, kinds cycle with a shift after each full cycle of both, so every kind meets
    // every tier and the first few incidents already cover all kinds and tiers.
    const tier = tiers[i % tiers.length] as string[];
    const kind = kinds[(i + Math.floor(i / cycle)) % kinds.length] as IncidentKind;
    const hours = 2 + random.int(11);
    const startHour = Math.min(Math.floor(slice * i + random.next() * slice), window.hours - hours);
    const start = window.start + Math.max(0, startHour) * HOUR;
    incidents.push({
      skill: random.pick(tier),
      kind,
      start,
      end: start + hours * HOUR,
      magnitude: drawMagnitude(kind, random),
    });
  }
  return incidents;
}

function leastCommonMultiple(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return (a * b) / x;
}
