import { invocationSchema, sessionSummarySchema } from '@skills/storage';
import { z } from 'zod';

/**
 * What the read endpoints answer, for the OpenAPI document (clients generated from it get typed
 * results). The tests parse every endpoint's real answer with these, so they cannot drift from
 * the package functions; objects are not strict, so a field added later does not break a client.
 */
const ms = z.number().int().describe('epoch milliseconds');
const seconds = z.number().nullable().describe('seconds; null when unknown');

export const topSkillSchema = z.object({
  skill_name: z.string(),
  invocations: z.number().int(),
  completed: z.number().int(),
  completion_rate: z.number().min(0).max(1).describe('fraction 0–1'),
  avg_duration_seconds: seconds,
  p95_duration_seconds: seconds,
});

export const hourlyPointSchema = z.object({
  ts: ms.describe('start of the hour, epoch ms'),
  count: z.number().int(),
  completed: z.number().int(),
  avgDuration: seconds,
  uniqueSessions: z.number().int(),
});

/** An invocation as the list and search endpoints answer it: storage's read shape. */
export { invocationSchema };

export const invocationPageSchema = z.object({
  items: z.array(invocationSchema),
  nextCursor: z.string().nullable().describe('pass as cursor for the next page; null on the last'),
});

/** One session's summary: storage's wire type of `sessionSummary`. */
export { sessionSummarySchema };

export const anomalyListSchema = z.object({
  anomalies: z.array(
    z.object({
      id: z.string(),
      skill: z.string(),
      type: z.enum(['drop', 'spike', 'pattern_shift']),
      metric: z.string(),
      bucket: ms.describe('start of the hour judged'),
      baseline: z.number().nullable(),
      observed: z.number().nullable(),
      score: z.number(),
      method: z.string(),
      reason: z.string(),
      detectedAt: ms,
      resolvedAt: ms.nullable().describe('null while open'),
    }),
  ),
});

export const recommendationSchema = z.object({
  skill: z.string(),
  score: z.number().min(0).max(1),
  reason: z.string().describe('in words that name no other user'),
  basis: z.string().describe('what ranked it: related-skills, neighbours or popularity'),
});
