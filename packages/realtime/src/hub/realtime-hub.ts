import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { watchRecorded, type RecordedEvent, type Store } from '@skills/storage';
import { listAnomalies, onAnomalies, type AnomalyEvent, type RecordedAnomaly } from '@skills/timeseries';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../logger.js';
import { badOption, positiveInteger } from '../options.js';
import { createTokenCheck, tokenOf } from './auth.js';
import { CLOSE_CODES, iso, parseClientMessage, serverMessage, type Channel } from './protocol.js';
import { computeSkillNumbers, computeSnapshot, entry, type Snapshot } from './snapshots.js';

export interface RealtimeHubOptions {
  store: Store;
  /** URL path of the WebSocket (default `/ws`); upgrades on other paths are left to other handlers. */
  path?: string;
  /** Snapshot interval (default 1000 ms, as the original). */
  tickMs?: number;
  /** Hours covered by the `metrics` snapshot, the current one included (default 24). */
  windowHours?: number;
  /** Skills in `metrics_update.top_skills` (default 10, as the original). */
  topSkills?: number;
  /** Accepted bearer tokens; none: no authentication. */
  tokens?: readonly string[];
  /** With tokens: accept a first message `{"token": …}` within `authTimeoutMs` from a client that sent none at upgrade (default true, as the original). */
  firstMessageToken?: boolean;
  /** Default 5000 ms. */
  authTimeoutMs?: number;
  /** `Origin` values browsers may connect from; default: any. Requests without an Origin (non-browsers) always pass. */
  allowedOrigins?: readonly string[];
  /** Connections at most (default 10,000); beyond, upgrades get 503. */
  maxClients?: number;
  /** Largest client message (default 64 KiB; larger closes with 1009). */
  maxPayloadBytes?: number;
  /** A client whose unsent bytes pass this is behind (default 1 MiB): snapshots coalesce, tail messages are dropped. */
  maxBufferedBytes?: number;
  /** A client behind for longer is closed with 4008 (default 10,000 ms). */
  slowClientMs?: number;
  /** Ping interval; a client that did not answer the previous ping is terminated (default 30,000 ms). */
  heartbeatMs?: number;
  /** How often the `anomalies` channel reads anomalies other instances recorded (default 10,000 ms), while someone subscribes. */
  anomalyPollMs?: number;
  /** `close()`, and closing a slow client, wait this long for the close handshake before dropping the connection (default 2000 ms). */
  closeTimeoutMs?: number;
  logger?: Logger;
}

export interface HubStats {
  clients: number;
  /** Bytes queued for clients and not yet written to their sockets, summed now. */
  bufferedBytes: number;
  /** Clients still to send their token. */
  authenticating: number;
  subscribers: { metrics: number; skills: number; invocations: number; anomalies: number };
  ticks: number;
  /** Snapshots computed (one per tick with subscribers). */
  snapshots: number;
  /** How long the last snapshot took to read from the store. */
  lastSnapshotMs: number;
  messagesSent: number;
  /** Snapshot messages replaced by a newer one while their client was behind. */
  coalesced: number;
  /** Invocations not sent to a client that was behind. */
  droppedInvocations: number;
  closedTooSlow: number;
  terminatedNoPong: number;
  rejectedUpgrades: { unauthorized: number; forbidden: number; unavailable: number };
}

export interface RealtimeHub {
  /** Handle WebSocket upgrades on the hub's path of this server. */
  attach(server: Server): void;
  /** Resolves once batches of other instances are heard (PostgreSQL), at once on SQLite. */
  ready(): Promise<void>;
  stats(): HubStats;
  /** Stop: close every client with 1001 (going away), stop listening; the http server stays open. */
  close(): Promise<void>;
}

interface Client {
  ws: WebSocket;
  authenticated: boolean;
  authTimer: NodeJS.Timeout | undefined;
  /** Receives `metrics_update`; `filter` narrows it to one skill (the original's subscribe). */
  metrics: boolean;
  filter: string | null;
  skills: Set<string>;
  invocations: boolean;
  anomalies: boolean;
  alive: boolean;
  behindSince: number | undefined;
  /** Latest snapshot message per key, held while the client is behind. */
  pending: Map<string, Buffer>;
  dropped: number;
  /** Last `skill_update` data sent, per skill, so unchanged numbers are not resent. */
  lastSkill: Map<string, string>;
  closing: boolean;
}

const INVOCATIONS_PER_MESSAGE = 100;

/**
 * A WebSocket hub over a store, attached to any Node `http.Server`: channels `metrics` (a
 * top-skills snapshot every tick, the original's `metrics_update`), `skill:<name>`,
 * `invocations` (each recorded batch as committed, on PostgreSQL from every instance) and
 * `anomalies`.
 *
 * @example
 * const hub = createRealtimeHub({ store, tokens: ['s3cret'] });
 * hub.attach(server);
 * // ws://host/ws?token=s3cret → {"type":"connected",…}, then a metrics_update every second
 * await hub.close();
 */
export function createRealtimeHub(options: RealtimeHubOptions): RealtimeHub {
  const { store, logger } = options;
  const path = options.path ?? '/ws';
  if (!path.startsWith('/')) throw badOption('path', `expected a URL path starting with "/" (got ${JSON.stringify(path)})`);
  const tickMs = positiveInteger(options.tickMs, 1000, 'tickMs');
  const windowHours = positiveInteger(options.windowHours, 24, 'windowHours');
  const topCount = positiveInteger(options.topSkills, 10, 'topSkills');
  const authTimeoutMs = positiveInteger(options.authTimeoutMs, 5000, 'authTimeoutMs');
  const maxClients = positiveInteger(options.maxClients, 10_000, 'maxClients');
  const maxPayload = positiveInteger(options.maxPayloadBytes, 64 * 1024, 'maxPayloadBytes');
  const maxBuffered = positiveInteger(options.maxBufferedBytes, 1024 * 1024, 'maxBufferedBytes');
  const slowClientMs = positiveInteger(options.slowClientMs, 10_000, 'slowClientMs');
  const heartbeatMs = positiveInteger(options.heartbeatMs, 30_000, 'heartbeatMs');
  const closeTimeoutMs = positiveInteger(options.closeTimeoutMs, 2000, 'closeTimeoutMs');
  const anomalyPollMs = positiveInteger(options.anomalyPollMs, 10_000, 'anomalyPollMs');
  const checkToken = createTokenCheck(options.tokens);
  const firstMessageToken = options.firstMessageToken ?? true;
  const origins = options.allowedOrigins === undefined ? undefined : new Set(options.allowedOrigins);

  const wss = new WebSocketServer({ noServer: true, maxPayload, clientTracking: false, perMessageDeflate: false });
  const clients = new Set<Client>();
  const servers = new Map<Server, (request: IncomingMessage, socket: Duplex, head: Buffer) => void>();
  const stats: Omit<HubStats, 'clients' | 'bufferedBytes' | 'authenticating' | 'subscribers'> = {
    ticks: 0,
    snapshots: 0,
    lastSnapshotMs: 0,
    messagesSent: 0,
    coalesced: 0,
    droppedInvocations: 0,
    closedTooSlow: 0,
    terminatedNoPong: 0,
    rejectedUpgrades: { unauthorized: 0, forbidden: 0, unavailable: 0 },
  };
  let closing = false;

  // --- sending, with backpressure -------------------------------------------------------------

  const closeTooSlow = (client: Client) => {
    if (client.closing) return;
    client.closing = true;
    stats.closedTooSlow += 1;
    client.pending.clear();
    logger?.warn?.({ buffered: client.ws.bufferedAmount }, 'realtime: closing a client that does not read its messages');
    client.ws.close(CLOSE_CODES.tooSlow, 'client too slow: messages were not read');
    // The close frame waits behind the unread bytes; do not wait for it long.
    setTimeout(() => client.ws.terminate(), closeTimeoutMs).unref();
  };

  /** Whether the client can take more now; marks it behind (and closes it when too long) if not. */
  const canSend = (client: Client, now: number): boolean => {
    if (client.closing || client.ws.readyState !== WebSocket.OPEN) return false;
    if (client.ws.bufferedAmount <= maxBuffered) {
      if (client.behindSince !== undefined) {
        client.behindSince = undefined;
        for (const message of client.pending.values()) write(client, message);
        client.pending.clear();
      }
      return true;
    }
    client.behindSince ??= now;
    if (now - client.behindSince > slowClientMs) closeTooSlow(client);
    return false;
  };

  const write = (client: Client, message: Buffer | string) => {
    client.ws.send(message);
    stats.messagesSent += 1;
  };

  /** A snapshot: when the client is behind, it replaces the previous one of the same key. */
  const sendSnapshot = (client: Client, key: string, message: Buffer, now: number) => {
    if (canSend(client, now)) return write(client, message);
    if (client.closing) return;
    if (client.pending.has(key)) stats.coalesced += 1;
    client.pending.set(key, message);
  };

  const reply = (client: Client, type: string, data: unknown, extra?: Record<string, unknown>) => {
    if (client.ws.readyState !== WebSocket.OPEN || client.closing) return;
    // One clock reading: a message's `timestamp` (ISO) is always its `ts`, even across a millisecond.
    const ts = Date.now();
    write(client, serverMessage(type, ts, data, extra?.timestamp === undefined ? extra : { ...extra, timestamp: iso(ts) }));
  };

  // --- the tick: one snapshot for every client --------------------------------------------------

  let ticking = false;
  const tick = async () => {
    if (ticking || closing) return;
    const metricsClients = [...clients].filter((client) => client.authenticated && (client.metrics || client.skills.size > 0));
    const now = Date.now();
    for (const client of clients) if (client.behindSince !== undefined) canSend(client, now);
    if (metricsClients.length === 0) return;
    ticking = true;
    stats.ticks += 1;
    try {
      const followed = new Set<string>();
      for (const client of metricsClients) {
        if (client.metrics && client.filter !== null) followed.add(client.filter);
        for (const skill of client.skills) followed.add(skill);
      }
      const snapshot = await computeSnapshot(store, { now, windowHours, topCount, followed });
      stats.snapshots += 1;
      // `ts` is when the snapshot was read, so a client's lag is the broadcast's alone.
      const read = Date.now();
      stats.lastSnapshotMs = read - now;
      await broadcastSnapshot({ ...snapshot, ts: read }, metricsClients);
    } catch (error) {
      logger?.error?.({ err: error }, 'realtime: snapshot failed');
    } finally {
      ticking = false;
    }
  };

  const broadcastSnapshot = async (snapshot: Snapshot, targets: Client[]) => {
    const { ts } = snapshot;
    const extra = { timestamp: iso(ts) };
    const all = Buffer.from(
      serverMessage(
        'metrics_update',
        ts,
        { top_skills: snapshot.top, anomalies: snapshot.anomalies.slice(0, 10), window_hours: windowHours },
        extra,
      ),
    );
    const filtered = new Map<string, Buffer>();
    const filteredMessage = (skill: string) => {
      let message = filtered.get(skill);
      if (!message) {
        const numbers = snapshot.skills.get(skill);
        const data = {
          top_skills: numbers ? [entry(numbers)] : [],
          anomalies: snapshot.anomalies.filter((anomaly) => anomaly.skill_name === skill).slice(0, 10),
          window_hours: windowHours,
        };
        message = Buffer.from(serverMessage('metrics_update', ts, data, extra));
        filtered.set(skill, message);
      }
      return message;
    };
    for (const client of targets) {
      if (client.metrics) sendSnapshot(client, 'metrics', client.filter === null ? all : filteredMessage(client.filter), ts);
    }
    const skillData = new Map<string, string | undefined>();
    for (const client of targets) {
      for (const skill of client.skills) {
        if (!skillData.has(skill)) {
          const numbers = await computeSkillNumbers(store, skill, ts, windowHours, snapshot.skills.get(skill));
          skillData.set(skill, numbers && JSON.stringify(numbers));
        }
      }
    }
    for (const client of targets) {
      for (const skill of client.skills) {
        const data = skillData.get(skill);
        if (data === undefined || client.lastSkill.get(skill) === data) continue;
        client.lastSkill.set(skill, data);
        sendSnapshot(client, `skill:${skill}`, Buffer.from(`{"type":"skill_update","ts":${ts},"data":${data}}`), ts);
      }
    }
  };

  // --- live tail and anomalies ---------------------------------------------------------------

  const onBatch = (event: RecordedEvent) => {
    const targets = [...clients].filter((client) => client.authenticated && client.invocations);
    if (targets.length === 0) return;
    const now = Date.now();
    for (let i = 0; i < event.invocations.length; i += INVOCATIONS_PER_MESSAGE) {
      const chunk = event.invocations.slice(i, i + INVOCATIONS_PER_MESSAGE);
      const message = Buffer.from(serverMessage('invocations', now, { invocations: chunk, source: event.source }));
      for (const client of targets) {
        if (!canSend(client, now)) {
          client.dropped += chunk.length;
          stats.droppedInvocations += chunk.length;
          continue;
        }
        if (client.dropped > 0) {
          write(client, serverMessage('invocations_dropped', now, { count: client.dropped }));
          client.dropped = 0;
        }
        write(client, message);
      }
    }
  };

  /** State of each anomaly already pushed (resolvedAt or null), so none is pushed twice. */
  const knownAnomalies = new Map<string, number | null>();
  let anomaliesFollowed = false;

  const pushAnomalies = (detected: RecordedAnomaly[], resolved: RecordedAnomaly[]) => {
    const fresh = detected.filter((anomaly) => !knownAnomalies.has(anomaly.id));
    const closed = resolved.filter((anomaly) => knownAnomalies.get(anomaly.id) == null);
    for (const anomaly of [...fresh, ...closed]) knownAnomalies.set(anomaly.id, anomaly.resolvedAt);
    const targets = [...clients].filter((client) => client.authenticated && client.anomalies);
    if (targets.length === 0 || (fresh.length === 0 && closed.length === 0)) return;
    const now = Date.now();
    const message = Buffer.from(serverMessage('anomalies', now, { detected: fresh, resolved: closed }));
    for (const client of targets) if (canSend(client, now)) write(client, message);
  };

  const onAnomalyEvent = (event: AnomalyEvent) => pushAnomalies(event.detected, event.resolved);

  /**
   * Anomalies recorded by another instance (the hourly job runs on one) are followed from the
   * table while someone subscribes; the first read only learns what is already there.
   */
  let followingAnomalies = false;
  const followAnomalies = async () => {
    if (followingAnomalies || closing || ![...clients].some((client) => client.authenticated && client.anomalies)) return;
    followingAnomalies = true;
    try {
      const recent = await listAnomalies(store, { since: Date.now() - 2 * 3_600_000, limit: 1000 });
      if (!anomaliesFollowed) {
        for (const anomaly of recent) knownAnomalies.set(anomaly.id, anomaly.resolvedAt);
        anomaliesFollowed = true;
        return;
      }
      pushAnomalies(
        recent.filter((anomaly) => anomaly.resolvedAt === null),
        recent.filter((anomaly) => anomaly.resolvedAt !== null),
      );
    } catch (error) {
      logger?.warn?.({ err: error }, 'realtime: cannot read recorded anomalies');
    } finally {
      followingAnomalies = false;
    }
  };

  const watching = watchRecorded(store, onBatch, {
    onError: (error) => logger?.warn?.({ err: error }, 'realtime: batches of other instances may be missed'),
  });
  watching.catch((error: unknown) => logger?.error?.({ err: error }, 'realtime: cannot listen for recorded batches'));
  const stopAnomalies = onAnomalies(store, onAnomalyEvent);
  const tickTimer = setInterval(() => void tick(), tickMs);
  tickTimer.unref();
  const anomalyTimer = setInterval(() => void followAnomalies(), anomalyPollMs);
  anomalyTimer.unref();
  const heartbeatTimer = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        stats.terminatedNoPong += 1;
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }, heartbeatMs);
  heartbeatTimer.unref();

  // --- connections -----------------------------------------------------------------------------

  const subscriptions = (client: Client): Channel[] => [
    ...(client.metrics ? (['metrics'] as const) : []),
    ...(client.invocations ? (['invocations'] as const) : []),
    ...(client.anomalies ? (['anomalies'] as const) : []),
    ...[...client.skills].map((skill) => `skill:${skill}` as const),
  ];

  const welcome = (client: Client) => {
    client.authenticated = true;
    if (client.authTimer) clearTimeout(client.authTimer);
    client.authTimer = undefined;
    const authenticated = checkToken !== undefined;
    reply(
      client,
      'connected',
      { authenticated, channels: subscriptions(client) },
      {
        message: 'Connected to Skills Analytics real-time metrics',
        authenticated,
        timestamp: iso(Date.now()),
      },
    );
  };

  const onMessage = (client: Client, text: string) => {
    const request = parseClientMessage(text, !client.authenticated);
    switch (request.kind) {
      case 'token':
        if (checkToken?.(request.token)) return welcome(client);
        client.closing = true;
        return client.ws.close(CLOSE_CODES.authenticationFailed, 'Authentication failed');
      case 'error':
        if (!client.authenticated) {
          client.closing = true;
          return client.ws.close(CLOSE_CODES.authenticationFailed, 'Authentication failed');
        }
        return reply(client, 'error', { message: request.message, ...(request.field === undefined ? {} : { field: request.field }) });
      case 'ping':
        return reply(client, 'pong', {}, { timestamp: iso(Date.now()) });
      case 'subscribe-skill':
        client.metrics = true;
        client.filter = request.skill;
        return reply(
          client,
          'subscription_confirmed',
          { skill: request.skill, channels: subscriptions(client) },
          { skill: request.skill, timestamp: iso(Date.now()) },
        );
      case 'unsubscribe-all-skills':
        // As the original: back to every skill, no reply.
        client.filter = null;
        return;
      case 'subscribe':
      case 'unsubscribe': {
        const on = request.kind === 'subscribe';
        for (const channel of request.channels) {
          if (channel === 'metrics') client.metrics = on;
          else if (channel === 'invocations') client.invocations = on;
          else if (channel === 'anomalies') client.anomalies = on;
          else {
            const skill = channel.slice('skill:'.length);
            if (on) client.skills.add(skill);
            else client.skills.delete(skill);
            client.lastSkill.delete(skill);
          }
        }
        return reply(client, on ? 'subscription_confirmed' : 'unsubscribed', { channels: subscriptions(client) });
      }
    }
  };

  const onConnection = (ws: WebSocket, authenticated: boolean) => {
    const client: Client = {
      ws,
      authenticated: false,
      authTimer: undefined,
      metrics: true,
      filter: null,
      skills: new Set(),
      invocations: false,
      anomalies: false,
      alive: true,
      behindSince: undefined,
      pending: new Map(),
      dropped: 0,
      lastSkill: new Map(),
      closing: false,
    };
    clients.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => {
      client.alive = true;
      onMessage(client, isBinary || !Buffer.isBuffer(data) ? Buffer.from(data as Buffer).toString('utf8') : data.toString('utf8'));
    });
    ws.on('error', (error) => logger?.debug?.({ err: error }, 'realtime: client connection error'));
    ws.on('close', () => {
      clients.delete(client);
      if (client.authTimer) clearTimeout(client.authTimer);
      client.pending.clear();
    });
    if (authenticated) return welcome(client);
    client.authTimer = setTimeout(() => {
      client.closing = true;
      ws.close(CLOSE_CODES.authenticationFailed, 'Authentication failed');
    }, authTimeoutMs);
    client.authTimer.unref();
  };

  const refuse = (socket: Duplex, status: number, reason: string, headers: Record<string, string> = {}) => {
    const body = `${reason}\n`;
    const lines = [
      `HTTP/1.1 ${status} ${reason}`,
      'Connection: close',
      'Content-Type: text/plain; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
    setTimeout(() => socket.destroy(), 1000).unref();
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== path) return;
    socket.on('error', () => {});
    if (closing || clients.size >= maxClients) {
      stats.rejectedUpgrades.unavailable += 1;
      return refuse(socket, 503, 'Service Unavailable', { 'Retry-After': '5' });
    }
    const origin = request.headers.origin;
    if (origins && origin !== undefined && !origins.has(origin)) {
      stats.rejectedUpgrades.forbidden += 1;
      return refuse(socket, 403, 'Forbidden');
    }
    let authenticated = true;
    if (checkToken) {
      const token = tokenOf(request, url);
      if (token === undefined && firstMessageToken) authenticated = false;
      else if (token === undefined || !checkToken(token)) {
        stats.rejectedUpgrades.unauthorized += 1;
        return refuse(socket, 401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer' });
      }
    }
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, authenticated));
  };

  return {
    attach(server) {
      if (closing) throw badOption('server', 'the hub is closed');
      if (servers.has(server)) return;
      servers.set(server, onUpgrade);
      server.on('upgrade', onUpgrade);
    },
    async ready() {
      await watching;
    },
    stats() {
      const list = [...clients];
      return {
        clients: list.length,
        bufferedBytes: list.reduce((sum, client) => sum + client.ws.bufferedAmount, 0),
        authenticating: list.filter((client) => !client.authenticated).length,
        subscribers: {
          metrics: list.filter((client) => client.authenticated && client.metrics).length,
          skills: list.filter((client) => client.authenticated && client.skills.size > 0).length,
          invocations: list.filter((client) => client.authenticated && client.invocations).length,
          anomalies: list.filter((client) => client.authenticated && client.anomalies).length,
        },
        ...stats,
        rejectedUpgrades: { ...stats.rejectedUpgrades },
      };
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(tickTimer);
      clearInterval(heartbeatTimer);
      clearInterval(anomalyTimer);
      stopAnomalies();
      for (const [server, listener] of servers) server.off('upgrade', listener);
      servers.clear();
      const closed = [...clients].map(
        (client) =>
          new Promise<void>((resolve) => {
            if (client.ws.readyState === WebSocket.CLOSED) return resolve();
            client.ws.once('close', () => resolve());
            client.closing = true;
            client.ws.close(CLOSE_CODES.goingAway, 'server going away');
          }),
      );
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, closeTimeoutMs).unref());
      await Promise.race([Promise.all(closed), timeout]);
      for (const client of clients) client.ws.terminate();
      clients.clear();
      await watching.then((stop) => stop()).catch(() => {});
      // Let a snapshot in flight finish before the caller closes the store.
      while (ticking) await new Promise((resolve) => setTimeout(resolve, 5));
    },
  };
}
