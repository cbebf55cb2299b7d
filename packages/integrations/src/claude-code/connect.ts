import { isRecord } from './run-events.js';

export interface ConnectOptions {
  /** The server's base address, e.g. `http://127.0.0.1:7777`. */
  serverUrl: string;
  /** Name of the environment variable holding the write token (its value is never written into settings). */
  tokenVariable?: string | undefined;
  /** Send the user's prompts too (UserPromptSubmit); the server stores them only when it records prompts. */
  prompts?: boolean | undefined;
  /** Name of the environment variable naming the user, sent as `x-skills-user` (default `USER`). */
  userVariable?: string | undefined;
  /** Hook every tool, not only skills and subagents (the server records them only when told to). */
  allTools?: boolean | undefined;
}

/** The hook path on apps/server. */
export const HOOKS_PATH = '/v1/integrations/claude-code/hooks';
/** The OTLP/HTTP logs path (the specification's default). */
export const LOGS_PATH = '/v1/logs';

/**
 * The `settings.json` fragment that points Claude Code at the server: `"type": "http"` hooks for
 * the events a skill run needs, and the telemetry variables for OpenTelemetry logs (docs/hooks.md,
 * docs/monitoring-usage.md). The token stays in the environment (`$SKILLS_TOKEN`).
 */
export function claudeCodeSettings(options: ConnectOptions): { hooks: Record<string, unknown[]>; env: Record<string, string> } {
  const base = options.serverUrl.replace(/\/+$/, '');
  const variable = options.tokenVariable ?? 'SKILLS_TOKEN';
  const user = options.userVariable ?? 'USER';
  const hook = {
    type: 'http',
    url: `${base}${HOOKS_PATH}`,
    headers: { Authorization: `Bearer $${variable}`, 'X-Skills-User': `$${user}` },
    allowedEnvVars: [variable, user],
    timeout: 5,
  };
  const matcher = options.allTools ? '*' : 'Skill|Agent|Task';
  const events = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure'];
  const hooks: Record<string, unknown[]> = {};
  for (const event of events) hooks[event] = [{ matcher, hooks: [hook] }];
  for (const event of ['UserPromptExpansion', 'Stop', 'StopFailure', 'SessionEnd', ...(options.prompts ? ['UserPromptSubmit'] : [])])
    hooks[event] = [{ hooks: [hook] }];
  return {
    hooks,
    env: {
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${base}${LOGS_PATH}`,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer \${${variable}}`,
      OTEL_LOG_TOOL_DETAILS: '1',
    },
  };
}

/**
 * `existing` settings with ours merged in, keeping everything that is there: hook groups already
 * pointing at our URL are not added twice, other hooks and env variables stay, our env variables
 * are added only where the user has not set their own. Throws when `existing` is not an object.
 */
export function mergeClaudeCodeSettings(
  existing: unknown,
  ours: ReturnType<typeof claudeCodeSettings>,
): { settings: Record<string, unknown>; added: string[] } {
  if (existing !== undefined && !isRecord(existing)) throw new Error('settings.json must hold a JSON object');
  const settings: Record<string, unknown> = structuredClone(existing ?? {});
  const added: string[] = [];
  const hooks = isRecord(settings.hooks) ? settings.hooks : {};
  settings.hooks = hooks;
  for (const [event, groups] of Object.entries(ours.hooks)) {
    const current = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : [];
    const url = (groups[0] as { hooks: { url: string }[] }).hooks[0]!.url;
    const present = current.some((g) => isRecord(g) && Array.isArray(g.hooks) && g.hooks.some((h) => isRecord(h) && h.url === url));
    if (!present) {
      hooks[event] = [...current, ...groups];
      added.push(`hooks.${event}`);
    }
  }
  const env = isRecord(settings.env) ? settings.env : {};
  settings.env = env;
  for (const [name, value] of Object.entries(ours.env)) {
    if (env[name] === undefined) {
      env[name] = value;
      added.push(`env.${name}`);
    }
  }
  return { settings, added };
}
