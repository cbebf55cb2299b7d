import { DEFAULT_STORE_URL, parseRetentionPeriod, parseStoreUrl, StoreOpenError } from '@skills/storage';

/** A configuration value that cannot be used; `source` is the flag or variable it came from. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
  }
}

/** Everything the server needs to start, resolved from flags, then `SKILLS_*` variables, then defaults. */
export interface ServerConfig {
  /** Store URL (default `./skills.db`). */
  db: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Bearer tokens that may read (`GET /v1/…`, `/metrics`, `/ws`); empty: reads are open. */
  readTokens: string[];
  /** Bearer tokens that may write (and read); empty: writes are open. */
  writeTokens: string[];
  /** Browser origins allowed to open the WebSocket; empty: any. */
  allowedOrigins: string[];
  /** A file holding the user-pseudonym secret (default: `<db file>.secret` beside a SQLite store). */
  pseudonymSecretFile: string | undefined;
  /** The user-pseudonym secret itself (`SKILLS_PSEUDONYM_SECRET`, environment only). */
  pseudonymSecret: string | undefined;
  /** Largest request body accepted, in bytes (default 1 MiB). */
  bodyLimitBytes: number;
  logLevel: LogLevel;
  /** Run the hourly anomaly detection inside the server (default true). */
  anomalyJob: boolean;
  /** Keep raw invocations this long (ms) and prune older ones daily; undefined (default): keep all. */
  retention: number | undefined;
  /** How long a shutdown waits for in-flight requests before closing connections (default 10 s). */
  shutdownTimeoutMs: number;
  /** Interval of the WebSocket `metrics` snapshot (default 1000 ms, as the original). */
  tickMs: number;
  /** Keep Claude Code users' prompts as their runs' `user_query` (default off). */
  claudeCodePrompts: boolean;
  /** Record every Claude Code tool (Bash, Edit, MCP tools) as a skill, not only skills and subagents (default off). */
  claudeCodeAllTools: boolean;
  /** Request header naming the user of a Claude Code hook (default `x-skills-user`). */
  claudeCodeUserHeader: string;
  /** A JSON file of workflow-phase rules for Claude Code skills (`{"pytest-*": "testing"}`); none by default. */
  claudeCodePhasesFile: string | undefined;
  /** Also receive OTLP/HTTP logs on this port (the OTLP default is 4318); off by default. */
  otlpPort: number | undefined;
  /** The secret of GitHub webhooks (X-Hub-Signature-256); GitHub deliveries are refused without it. */
  githubWebhookSecret: string | undefined;
  /** The secret token of GitLab webhooks (X-Gitlab-Token); GitLab deliveries are refused without it. */
  gitlabWebhookToken: string | undefined;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type ServerOptionKey = Exclude<keyof ServerConfig, 'pseudonymSecret'>;

/** One setting: its flag (commander syntax), its environment variable and its default, as documented. */
export interface ServerOption {
  key: ServerOptionKey;
  flag: string;
  env: string;
  description: string;
  /** The default as people read it. */
  defaultText: string;
}

/** Every setting of the server, in the order `--help` lists them; `skills serve` takes the same flags. */
export const SERVER_OPTIONS: readonly ServerOption[] = [
  {
    key: 'db',
    flag: '--db <url>',
    env: 'SKILLS_DB_URL',
    description: 'store: a SQLite file, sqlite:PATH, :memory: or postgres://…',
    defaultText: DEFAULT_STORE_URL,
  },
  { key: 'host', flag: '--host <host>', env: 'SKILLS_HOST', description: 'address to listen on', defaultText: '127.0.0.1' },
  { key: 'port', flag: '--port <n>', env: 'SKILLS_PORT', description: 'port to listen on (0: any free port)', defaultText: '8765' },
  {
    key: 'readTokens',
    flag: '--read-tokens <list>',
    env: 'SKILLS_READ_TOKENS',
    description: 'comma-separated bearer tokens for reads (unset: reads are open)',
    defaultText: 'none',
  },
  {
    key: 'writeTokens',
    flag: '--write-tokens <list>',
    env: 'SKILLS_WRITE_TOKENS',
    description: 'comma-separated bearer tokens for writes, which may also read (unset: writes are open)',
    defaultText: 'none',
  },
  {
    key: 'allowedOrigins',
    flag: '--allowed-origins <list>',
    env: 'SKILLS_ALLOWED_ORIGINS',
    description: 'comma-separated browser origins allowed on /ws (unset: any)',
    defaultText: 'any',
  },
  {
    key: 'pseudonymSecretFile',
    flag: '--pseudonym-secret-file <path>',
    env: 'SKILLS_PSEUDONYM_SECRET_FILE',
    description: 'file with the user-pseudonym secret (SKILLS_PSEUDONYM_SECRET gives the value itself)',
    defaultText: '<db file>.secret for SQLite',
  },
  {
    key: 'bodyLimitBytes',
    flag: '--body-limit <size>',
    env: 'SKILLS_BODY_LIMIT',
    description: 'largest request body: bytes, or with kb / mb',
    defaultText: '1mb',
  },
  { key: 'logLevel', flag: '--log-level <level>', env: 'SKILLS_LOG_LEVEL', description: LOG_LEVELS.join(', '), defaultText: 'info' },
  {
    key: 'anomalyJob',
    flag: '--anomaly-job <on|off>',
    env: 'SKILLS_ANOMALY_JOB',
    description: 'detect and record anomalies after each complete hour',
    defaultText: 'on',
  },
  {
    key: 'retention',
    flag: '--retention <duration>',
    env: 'SKILLS_RETENTION',
    description: 'prune raw invocations older than this daily (e.g. 90d; h, d or w); rollups are kept',
    defaultText: 'off',
  },
  {
    key: 'shutdownTimeoutMs',
    flag: '--shutdown-timeout <ms>',
    env: 'SKILLS_SHUTDOWN_TIMEOUT_MS',
    description: 'wait this long for in-flight requests on SIGTERM/SIGINT',
    defaultText: '10000',
  },
  {
    key: 'tickMs',
    flag: '--tick <ms>',
    env: 'SKILLS_TICK_MS',
    description: 'interval of the WebSocket metrics snapshot',
    defaultText: '1000',
  },
  {
    key: 'claudeCodePrompts',
    flag: '--claude-code-prompts <on|off>',
    env: 'SKILLS_CLAUDE_CODE_PROMPTS',
    description: "store Claude Code users' prompts with their skill runs",
    defaultText: 'off',
  },
  {
    key: 'claudeCodeAllTools',
    flag: '--claude-code-all-tools <on|off>',
    env: 'SKILLS_CLAUDE_CODE_ALL_TOOLS',
    description: 'record every Claude Code tool as a skill, not only skills and subagents',
    defaultText: 'off',
  },
  {
    key: 'claudeCodeUserHeader',
    flag: '--claude-code-user-header <name>',
    env: 'SKILLS_CLAUDE_CODE_USER_HEADER',
    description: 'request header naming the user of a Claude Code hook',
    defaultText: 'x-skills-user',
  },
  {
    key: 'claudeCodePhasesFile',
    flag: '--claude-code-phases <file>',
    env: 'SKILLS_CLAUDE_CODE_PHASES',
    description: 'JSON rules giving Claude Code skills their workflow phase ({"pytest-*": "testing"})',
    defaultText: 'none',
  },
  {
    key: 'otlpPort',
    flag: '--otlp-port <n>',
    env: 'SKILLS_OTLP_PORT',
    description: 'also receive OTLP/HTTP logs (POST /v1/logs) on this port, e.g. 4318',
    defaultText: 'off',
  },
  {
    key: 'githubWebhookSecret',
    flag: '--github-webhook-secret <secret>',
    env: 'SKILLS_GITHUB_WEBHOOK_SECRET',
    description: 'secret of GitHub workflow_job/workflow_run webhooks (POST /v1/integrations/github)',
    defaultText: 'none: GitHub webhooks refused',
  },
  {
    key: 'gitlabWebhookToken',
    flag: '--gitlab-webhook-token <token>',
    env: 'SKILLS_GITLAB_WEBHOOK_TOKEN',
    description: 'secret token of GitLab pipeline/job webhooks (POST /v1/integrations/gitlab)',
    defaultText: 'none: GitLab webhooks refused',
  },
];

/** Values as commander hands them over (strings; undefined when the flag was not given). */
export type ServerFlags = Partial<Record<ServerOptionKey, string | undefined>>;

const MIN_TOKEN_LENGTH = 16;

/**
 * The configuration from `flags`, then `env` (`SKILLS_*`), then the defaults. A bad value throws a
 * `ConfigError` naming the flag or variable it came from.
 * @example resolveServerConfig({ port: '0' }, process.env).port // 0
 */
export function resolveServerConfig(flags: ServerFlags, env: Readonly<Record<string, string | undefined>>): ServerConfig {
  const raw = (key: ServerOptionKey): { value: string; source: string } | undefined => {
    const option = SERVER_OPTIONS.find((o) => o.key === key)!;
    const flag = flags[key];
    if (flag !== undefined) return { value: flag, source: option.flag.split(' ')[0]! };
    const fromEnv = env[option.env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: option.env };
    return undefined;
  };
  const db = raw('db');
  if (db !== undefined) checkStoreUrl(db.value, db.source);
  const secret = env.SKILLS_PSEUDONYM_SECRET;
  return {
    db: db?.value ?? DEFAULT_STORE_URL,
    host: raw('host')?.value ?? '127.0.0.1',
    port: integer(raw('port'), 8765, 0, 65_535),
    readTokens: tokens(raw('readTokens')),
    writeTokens: tokens(raw('writeTokens')),
    allowedOrigins: origins(raw('allowedOrigins')),
    pseudonymSecretFile: raw('pseudonymSecretFile')?.value,
    pseudonymSecret: secret === undefined || secret === '' ? undefined : secret,
    bodyLimitBytes: byteSize(raw('bodyLimitBytes'), 1024 * 1024),
    logLevel: logLevel(raw('logLevel')),
    anomalyJob: onOff(raw('anomalyJob'), true),
    retention: retention(raw('retention')),
    shutdownTimeoutMs: integer(raw('shutdownTimeoutMs'), 10_000, 0, 600_000),
    tickMs: integer(raw('tickMs'), 1000, 50, 3_600_000),
    claudeCodePrompts: onOff(raw('claudeCodePrompts'), false),
    claudeCodeAllTools: onOff(raw('claudeCodeAllTools'), false),
    claudeCodeUserHeader: raw('claudeCodeUserHeader')?.value.trim().toLowerCase() ?? 'x-skills-user',
    claudeCodePhasesFile: raw('claudeCodePhasesFile')?.value,
    otlpPort: raw('otlpPort') === undefined ? undefined : integer(raw('otlpPort'), 4318, 0, 65_535),
    githubWebhookSecret: raw('githubWebhookSecret')?.value,
    gitlabWebhookToken: raw('gitlabWebhookToken')?.value,
  };
}

type Raw = { value: string; source: string } | undefined;

function checkStoreUrl(url: string, source: string): void {
  try {
    parseStoreUrl(url);
  } catch (error) {
    if (error instanceof StoreOpenError) throw new ConfigError(source, error.message);
    throw error;
  }
}

function integer(raw: Raw, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const text = raw.value.trim().replace(/_/g, '');
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(raw.source, `expected an integer from ${min} to ${max} (got "${raw.value}")`);
  }
  return value;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2 };

function byteSize(raw: Raw, fallback: number): number {
  if (raw === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.value.trim());
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Math.round(Number(match[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1024 || bytes > 1024 ** 3) {
    throw new ConfigError(raw.source, `expected a size from 1kb to 1024mb, e.g. 1048576, 512kb or 4mb (got "${raw.value}")`);
  }
  return bytes;
}

function list(raw: Raw): string[] {
  if (raw === undefined) return [];
  return raw.value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function tokens(raw: Raw): string[] {
  const found = list(raw);
  for (const [index, token] of found.entries()) {
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new ConfigError(raw!.source, `token ${index + 1} is ${token.length} characters long: expected at least ${MIN_TOKEN_LENGTH}`);
    }
    if (!/^[\x21-\x7e]+$/.test(token)) throw new ConfigError(raw!.source, `token ${index + 1}: expected printable ASCII without spaces`);
  }
  return found;
}

function origins(raw: Raw): string[] {
  const found = list(raw);
  for (const origin of found) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed.origin !== origin.replace(/\/$/, '')) {
      throw new ConfigError(raw!.source, `expected origins such as https://dashboard.example.com (got "${origin}")`);
    }
  }
  return found.map((origin) => origin.replace(/\/$/, ''));
}

function logLevel(raw: Raw): LogLevel {
  if (raw === undefined) return 'info';
  const level = raw.value.trim().toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(raw.source, `expected one of ${LOG_LEVELS.join(', ')} (got "${raw.value}")`);
  return level;
}

function retention(raw: Raw): number | undefined {
  if (raw === undefined || ['off', 'none'].includes(raw.value.trim().toLowerCase())) return undefined;
  try {
    return parseRetentionPeriod(raw.value, raw.source);
  } catch (error) {
    throw new ConfigError(raw.source, (error as { issues?: { message: string }[] }).issues?.[0]?.message ?? (error as Error).message);
  }
}

function onOff(raw: Raw, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  const text = raw.value.trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(text)) return true;
  if (['off', 'false', '0', 'no'].includes(text)) return false;
  throw new ConfigError(raw.source, `expected on or off (got "${raw.value}")`);
}
