import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { DAY_MS, getSkillMetrics, NotFoundError, topSkills } from '@skills/storage';
import { skillTrend } from '@skills/timeseries';
import type { ResolvedDeps } from './tool-definition.js';

/**
 * Read-only views an agent (or its user) can attach as context:
 * `skills://metrics/top` — the 20 busiest skills of the last 24 hours;
 * `skills://skill/{name}` — one skill's figures and its 7-day completion trend.
 */
export function registerSkillsResources(server: McpServer, deps: ResolvedDeps): void {
  server.registerResource(
    'top-skills',
    'skills://metrics/top',
    {
      title: 'Busiest skills, last 24 hours',
      description: 'The 20 most invoked skills of the last 24 hours: invocations, completion rate (0–1), mean and p95 duration (seconds).',
      mimeType: 'application/json',
    },
    async (uri) => {
      const now = deps.now();
      const top = await topSkills(deps.store, { since: now - DAY_MS, until: now, limit: 20 });
      return {
        contents: [
          { uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ since: now - DAY_MS, until: now, skills: top }, null, 2) },
        ],
      };
    },
  );
  server.registerResource(
    'skill',
    new ResourceTemplate('skills://skill/{name}', {
      list: async () => {
        const rows = await deps.store.db
          .selectFrom('skill_metrics')
          .select('skill_name')
          .orderBy('total_invocations', 'desc')
          .limit(50)
          .execute();
        return {
          resources: rows.map((row) => ({
            uri: `skills://skill/${encodeURIComponent(row.skill_name)}`,
            name: row.skill_name,
            mimeType: 'application/json',
          })),
        };
      },
    }),
    {
      title: 'One skill',
      description: "A skill's whole-history figures (as get_skill_metrics) and its 7-day completion-rate trend (as get_skill_trend).",
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const raw = variables.name;
      const skill = decodeURIComponent(Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? ''));
      const metrics = await getSkillMetrics(deps.store, skill).catch((error: unknown) => {
        if (error instanceof NotFoundError) throw new Error(`unknown skill: ${skill}`);
        throw error;
      });
      const trend = await skillTrend(deps.store, skill, { days: 7, until: deps.now() });
      const body = { metrics, trend: { direction: trend.direction, slope_per_day: trend.slopePerDay, summary: trend.summary } };
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(body, null, 2) }] };
    },
  );
}
