import { HOUR_MS } from '@skills/storage';
import { z } from 'zod';
import { realTimeMetrics } from '../queries/real-time-metrics.js';
import { recentAnomalies } from '../queries/recent-anomalies.js';
import { defineTool } from '../tool-definition.js';
import { integer, iso, positive } from './arguments.js';

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

/** Hours as the original's messages printed them: 1, 0.5, 24. */
function hours(value: number): string {
  return String(value);
}

export const getRealTimeMetrics = defineTool({
  name: 'get_real_time_metrics',
  title: 'Busiest skills right now',
  description:
    'The skills invoked most in the last `time_window_hours` hours (default 1), busiest first: invocations, completions, ' +
    'completion rate (0–1), mean duration of completed runs (seconds) and the latest invocation. Only invocations inside ' +
    "the window count. Use it to see what agents are running now; use get_skill_metrics for one skill's whole history.",
  input: z.object({
    limit: integer(1, 1000, 10, 'Most skills to return (1–1000, default 10).'),
    time_window_hours: positive(8760, 1, 'Window length in hours ending now (default 1; fractions allowed, at most 8760).'),
  }),
  output: z.object({
    top_skills: z.array(
      z.object({
        skill_name: z.string(),
        invocation_count: z.number().int(),
        completed_count: z.number().int(),
        completion_rate: z.number().describe('0–1'),
        avg_duration: z.number().describe('seconds, completed invocations with a duration; 0 when none'),
        last_invocation_at: z.string().describe('ISO-8601'),
      }),
    ),
    timestamp: z.string(),
    message: z.string(),
  }),
  annotations: READ,
  async run(args, deps) {
    const now = deps.now();
    const rows = await realTimeMetrics(deps.store, { since: now - args.time_window_hours * HOUR_MS, limit: args.limit });
    const message = `Found ${rows.length} skills in the last ${hours(args.time_window_hours)} hours`;
    return {
      result: {
        top_skills: rows.map((row) => ({ ...row, last_invocation_at: iso(row.last_invocation_at) })),
        timestamp: iso(now),
        message,
      },
      text:
        rows.length === 0
          ? message
          : `${message}: ${rows
              .slice(0, 5)
              .map((row) => `${row.skill_name} ${row.invocation_count}`)
              .join(', ')}`,
    };
  },
});

export const detectAnomaliesTool = defineTool({
  name: 'detect_anomalies',
  title: 'Detect anomalies',
  description:
    'Skills whose hourly completion rate (or, with `metric`, volume or duration) departed from normal during the last ' +
    "`time_window_hours` hours (default 24), by the original system's z-score: each complete hour against the 23 hours " +
    'before it, flagged at |z| ≥ `threshold` (default 2.0), one anomaly per skill, metric and direction while it lasts. ' +
    'Read-only: nothing is recorded. Use it when asked whether something broke or changed.',
  input: z.object({
    threshold: positive(100, 2, 'Smallest |z-score| reported (default 2.0).'),
    time_window_hours: integer(1, 744, 24, 'Hours judged, ending with the last complete hour (1–744, default 24).'),
    metric: z
      .enum(['completion_rate', 'invocation_count', 'avg_duration_seconds', 'all'], {
        error: 'expected completion_rate, invocation_count, avg_duration_seconds or all',
      })
      .default('completion_rate')
      .describe('What to judge: completion_rate (default, as the original), invocation_count, avg_duration_seconds, or all three.'),
    limit: integer(1, 1000, 50, 'Most anomalies to return, strongest |z| first (1–1000, default 50); total_found counts them all.'),
  }),
  output: z.object({
    anomalies: z.array(
      z.object({
        skill_name: z.string(),
        anomaly_type: z.enum(['drop', 'spike', 'pattern_shift']),
        metric: z.enum(['completion_rate', 'invocation_count', 'avg_duration_seconds']),
        baseline_value: z.number().nullable(),
        observed_value: z.number().nullable(),
        deviation_score: z.number().describe('z-score; negative below the baseline'),
        hour_start: z.string().describe('ISO-8601 start of the hour judged'),
        detected_at: z.string().describe('ISO-8601 end of that hour'),
        resolved_at: z.string().nullable().describe('ISO-8601 hour at which it was back to normal; null while it lasts'),
        reason: z.string(),
      }),
    ),
    total_found: z.number().int().describe('Anomalies found; more than anomalies holds when limit cut the list'),
    timestamp: z.string(),
    message: z.string(),
  }),
  annotations: READ,
  async run(args, deps) {
    const now = deps.now();
    const metrics =
      args.metric === 'all' ? (['completion_rate', 'invocation_count', 'avg_duration_seconds'] as const) : ([args.metric] as const);
    const found = await recentAnomalies(deps.store, { now, hours: args.time_window_hours, threshold: args.threshold, metrics });
    const strongest = found
      .sort((a, b) => Math.abs(b.score) - Math.abs(a.score) || (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : a.bucket - b.bucket))
      .slice(0, args.limit);
    const anomalies = strongest.map((a) => ({
      skill_name: a.skill,
      anomaly_type: a.type,
      metric: a.metric,
      baseline_value: a.baseline,
      observed_value: a.observed,
      deviation_score: a.score,
      hour_start: iso(a.bucket),
      detected_at: iso(a.detectedAt),
      resolved_at: a.resolvedAt === null ? null : iso(a.resolvedAt),
      reason: a.reason,
    }));
    const shown = found.length > anomalies.length ? ` (the ${anomalies.length} strongest shown)` : '';
    const message = `Detected ${found.length} anomaly(ies) with Z-score >= ${args.threshold}${shown}`;
    return {
      result: { anomalies, total_found: found.length, timestamp: iso(now), message },
      text:
        anomalies.length === 0
          ? message
          : `${message}: ${anomalies
              .slice(0, 3)
              .map((a) => a.reason)
              .join('; ')}`,
    };
  },
});
