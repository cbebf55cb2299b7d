/**
 * The wire protocol: JSON text frames. Every server message has `type`, `ts` (epoch ms) and `data`;
 * messages the original system's clients know keep its extra top-level fields (`timestamp`,
 * `message`, `authenticated`, `skill`) beside them.
 */

/** Channels a client can subscribe to. */
export type Channel = 'metrics' | 'invocations' | 'anomalies' | `skill:${string}`;

/** Close codes the hub uses. */
export const CLOSE_CODES = {
  /** The server (or the hub) is shutting down. */
  goingAway: 1001,
  /** Authentication failed or timed out (as the original). */
  authenticationFailed: 4001,
  /** The client did not read its messages: its buffer stayed over the bound. */
  tooSlow: 4008,
} as const;

/** What a client asked for, after checking. */
export type ClientRequest =
  | { kind: 'token'; token: string }
  | { kind: 'subscribe-skill'; skill: string | null }
  | { kind: 'subscribe'; channels: Channel[] }
  | { kind: 'unsubscribe-all-skills' }
  | { kind: 'unsubscribe'; channels: Channel[] }
  | { kind: 'ping' }
  | { kind: 'error'; message: string; field?: string };

const MAX_SKILL_NAME = 200;

function channelOf(value: unknown): Channel | string {
  if (typeof value !== 'string') return `expected a channel name (got ${JSON.stringify(value) ?? 'nothing'})`;
  if (value === 'metrics' || value === 'invocations' || value === 'anomalies') return value;
  if (value.startsWith('skill:')) {
    const skill = value.slice('skill:'.length);
    if (skill.trim() === '' || skill.length > MAX_SKILL_NAME)
      return `expected skill:<name> with a name of 1 to ${MAX_SKILL_NAME} characters`;
    return value as Channel;
  }
  return `unknown channel ${JSON.stringify(value)}: expected metrics, invocations, anomalies or skill:<name>`;
}

const isChannel = (value: Channel | string, raw: unknown): value is Channel => value === raw;

/** Channels from `channel` or `channels`, or an error naming the field. */
function channelsOf(message: Record<string, unknown>): Channel[] | { message: string; field: string } {
  const field = 'channels' in message ? 'channels' : 'channel';
  const raw = field === 'channels' ? message.channels : [message.channel];
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > 100) return { message: 'expected a list of 1 to 100 channels', field };
  const channels: Channel[] = [];
  for (const [i, value] of raw.entries()) {
    const channel = channelOf(value);
    if (!isChannel(channel, value)) return { message: channel, field: field === 'channels' ? `channels.${i}` : 'channel' };
    channels.push(channel);
  }
  return channels;
}

/** Parse one client frame. Never throws: a bad frame becomes an `error` request naming what was wrong. */
export function parseClientMessage(text: string, awaitingToken: boolean): ClientRequest {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { kind: 'error', message: 'invalid JSON: expected one JSON object per message' };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { kind: 'error', message: 'expected a JSON object with a "type"' };
  }
  const object = message as Record<string, unknown>;
  if (awaitingToken) {
    if (typeof object.token === 'string' && object.token !== '') return { kind: 'token', token: object.token };
    return { kind: 'error', message: 'expected {"token": "..."} first', field: 'token' };
  }
  const { type } = object;
  if (typeof type !== 'string') return { kind: 'error', message: 'expected "type" to be a string', field: 'type' };
  switch (type) {
    case 'ping':
      return { kind: 'ping' };
    case 'subscribe':
    case 'unsubscribe': {
      if ('channel' in object || 'channels' in object) {
        const channels = channelsOf(object);
        if (!Array.isArray(channels)) return { kind: 'error', ...channels };
        return { kind: type, channels };
      }
      if (type === 'unsubscribe') return { kind: 'unsubscribe-all-skills' };
      const skill = object.skill ?? null;
      if (skill !== null && (typeof skill !== 'string' || skill.trim() === '' || skill.length > MAX_SKILL_NAME)) {
        return {
          kind: 'error',
          message: `expected "skill" to be a skill name of 1 to ${MAX_SKILL_NAME} characters, or null for all`,
          field: 'skill',
        };
      }
      return { kind: 'subscribe-skill', skill };
    }
    default:
      return {
        kind: 'error',
        message: `unknown message type ${JSON.stringify(type)}: expected subscribe, unsubscribe or ping`,
        field: 'type',
      };
  }
}

/** A server message as text, `type`, `ts` and `data` first. */
export function serverMessage(type: string, ts: number, data: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type, ts, data, ...extra });
}

export const iso = (ms: number) => new Date(ms).toISOString();
