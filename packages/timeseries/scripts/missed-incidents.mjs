// Why were incidents missed? For each incident of the seeded workload that the hourly replay did
// not find, every hour from start − 1 h to end + 3 h: calls, failures (or timed completions), and
// what the detector made of the incident's metric then (status, score, code, reason), for the
// hour alone, the 3-hour and the 8-hour window.
//
//   node packages/timeseries/scripts/missed-incidents.mjs [invocations=100000] [seeds=1,...,8] [kind=success_drop]
//   (MISSED_OPTIONS='{"threshold":3.2}' replays with other options)
import { generateWorkload } from '@skills/synth';
import { explainAnomalies, replayAnomalies } from '@skills/timeseries';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const [size = '100000', seedList = '1,2,3,4,5,6,7,8', kind = 'success_drop'] = process.argv.slice(2);
const OPTIONS = JSON.parse(process.env.MISSED_OPTIONS ?? '{}');
const METRIC_OF = { success_drop: 'completion_rate', volume_spike: 'invocation_count', latency_regression: 'avg_duration_seconds' };
const DIRECTION_OF = { success_drop: -1, volume_spike: 1, latency_regression: 1 };

function hourly(workload) {
  const series = new Map(workload.truth.skills.map((s) => [s.name, new Map()]));
  for (const batch of workload.batches()) {
    for (const item of batch) {
      const ts = item.invoked_at - (item.invoked_at % HOUR);
      const hours = series.get(item.skill_name);
      const p = hours.get(ts) ?? { ts, count: 0, completed: 0, timed: 0, sum: 0 };
      hours.set(ts, p);
      p.count += 1;
      if (item.completed) {
        p.completed += 1;
        if (item.duration_seconds !== null) {
          p.timed += 1;
          p.sum += item.duration_seconds;
        }
      }
    }
  }
  const out = new Map();
  for (const [skill, hours] of series) {
    out.set(
      skill,
      [...hours.values()]
        .sort((a, b) => a.ts - b.ts)
        .map((p) => ({
          ts: p.ts,
          count: p.count,
          completed: p.completed,
          avgDuration: p.timed > 0 ? p.sum / p.timed : null,
          durationCount: p.timed,
        })),
    );
  }
  return out;
}

for (const seed of seedList.split(',').map(Number)) {
  const workload = generateWorkload({ invocations: Number(size), users: 200, skills: 40, days: 14, seed });
  const { truth } = workload;
  const series = hourly(workload);
  const since = truth.start + 2 * DAY;
  for (const i of truth.incidents.filter((x) => x.start >= since && x.kind === kind)) {
    const metric = METRIC_OF[i.kind];
    const points = series.get(i.skill);
    const episodes = replayAnomalies(points, { ...OPTIONS, skill: i.skill, since, until: truth.end });
    const found = episodes.some(
      (a) =>
        a.metric === metric && Math.sign(a.score) === DIRECTION_OF[i.kind] && a.bucket >= i.start - HOUR && a.bucket <= i.end + 3 * HOUR,
    );
    const rate = truth.skills.find((s) => s.name === i.skill);
    console.log(
      `\n${found ? 'found' : 'MISSED'} seed ${seed} ${i.kind} ${i.skill} ×${i.magnitude} day ${Math.floor((i.start - truth.start) / DAY)} ${new Date(i.start).toISOString().slice(0, 13)}h for ${(i.end - i.start) / HOUR} h (skill ${JSON.stringify(rate)})`,
    );
    if (found) continue;
    const range = { since: i.start - HOUR, until: i.end + 4 * HOUR };
    const variants = [
      ['hour', { windowHours: 1, longWindowHours: 1 }],
      ['3h', { windowHours: 3, longWindowHours: 1 }],
      ['8h', { windowHours: 8, longWindowHours: 1 }],
    ];
    const byVariant = variants.map(([name, o]) => [
      name,
      new Map(explainAnomalies(points, { ...OPTIONS, ...o, skill: i.skill, metrics: [metric], ...range }).map((e) => [e.bucket, e])),
    ]);
    for (let ts = range.since; ts < range.until; ts += HOUR) {
      const p = points.find((x) => x.ts === ts);
      const inside = ts >= i.start && ts < i.end ? '*' : ' ';
      const data = p === undefined ? 'no calls' : `${p.count} calls, ${p.count - p.completed} failed, ${p.durationCount} timed`;
      console.log(`  ${inside}${new Date(ts).toISOString().slice(5, 13)}h ${data}`);
      for (const [name, m] of byVariant) {
        const e = m.get(ts);
        if (e !== undefined)
          console.log(`      ${name.padEnd(4)} ${e.status} ${e.score === null ? '' : e.score.toFixed(2)} ${e.code ?? ''} ${e.reason}`);
      }
    }
  }
}
