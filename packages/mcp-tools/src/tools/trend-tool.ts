import { skillTrend } from '@skills/timeseries';
import { z } from 'zod';
import { defineTool } from '../tool-definition.js';
import { finiteOrNull, integer, iso, name } from './arguments.js';

export const getSkillTrend = defineTool({
  name: 'get_skill_trend',
  title: 'Is a skill getting better or worse',
  description:
    'The daily completion-rate trend of one skill over the last `days` days (default 7): `improving`, `declining`, `stable` ' +
    'or `insufficient_data` (fewer than 3 days with data), by the Mann–Kendall test with the Theil–Sen slope (outlier days ' +
    "cannot flip it). `slope` is completion rate (0–1) per day; `confidence` is the test's p-value, as in the original " +
    '(small = certain; 1 with too little data). Use it when asked how a skill has been doing lately.',
  input: z.object({
    skill_name: name('The skill, exactly as recorded (e.g. "pytest-run").'),
    days: integer(1, 366, 7, 'Days in the window, ending with the last complete hour (1–366, default 7).'),
  }),
  output: z.object({
    skill_name: z.string(),
    trend: z.enum(['improving', 'declining', 'stable', 'insufficient_data']),
    slope: z.number().describe('completion rate per day (Theil–Sen); 0 without a trend'),
    start_value: z.number().describe('completion rate of the first day with data'),
    end_value: z.number().describe('completion rate of the last day with data'),
    change_percent: z.number().describe('change across the window along the Theil–Sen line, percent of its start'),
    confidence: z.number().describe('Mann–Kendall p-value (1 without enough data)'),
    points: z
      .array(z.object({ day_start: z.string(), value: z.number(), invocations: z.number().int() }))
      .describe('the daily values the trend was fitted to, oldest first'),
    summary: z.string(),
    timestamp: z.string(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, deps) {
    const now = deps.now();
    const t = await skillTrend(deps.store, args.skill_name, { metric: 'completion_rate', days: args.days, until: now });
    const first = t.points[0];
    const last = t.points[t.points.length - 1];
    const result = {
      skill_name: args.skill_name,
      trend: t.direction,
      slope: finiteOrNull(t.slopePerDay) ?? 0,
      start_value: first?.value ?? 0,
      end_value: last?.value ?? 0,
      change_percent: (finiteOrNull(t.change) ?? 0) * 100,
      confidence: finiteOrNull(t.mannKendall?.pValue) ?? 1,
      points: t.points.map((p) => ({ day_start: iso(p.start), value: p.value, invocations: p.sample })),
      summary: t.summary,
      timestamp: iso(now),
    };
    return { result, text: `${args.skill_name}: ${t.summary}` };
  },
});
