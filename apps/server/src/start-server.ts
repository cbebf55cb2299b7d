import type { AddressInfo } from 'node:net';
import {
  createMetricsExporter,
  createRealtimeHub,
  type MetricsExporter,
  type RealtimeHub,
  type RealtimeHubOptions,
} from '@skills/realtime';
import { redactUrl, type Store } from '@skills/storage';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { createAnomalyJob, type AnomalyJob } from './anomaly-job.js';
import { createRetentionJob } from './retention-job.js';
import { INGEST_ROUTES } from './ingest-metrics.js';
import { buildServer, type ServerPlugin } from './build-server.js';
import type { ServerConfig } from './config.js';
import { openServerStore } from './open-server-store.js';

export interface StartServerOptions {
  /** Default: a pino logger at `config.logLevel` writing JSON lines to stdout. */
  logger?: Logger;
  /** Routers to mount (Fastify plugins), e.g. MCP at /mcp: one line each. */
  plugins?: readonly ServerPlugin[];
  /** Use this store instead of opening `config.db` (it is then not closed by `close()`). */
  store?: Store;
  /** With `store`: its dialect (decides the advisory lock of the anomaly job). */
  dialect?: 'sqlite' | 'postgres';
  /** Clock for relative query times and the anomaly job (default Date.now). */
  now?: () => number;
  /** Bounds of the WebSocket hub beyond the configuration (defaults of `@skills/realtime`). */
  realtime?: Pick<
    RealtimeHubOptions,
    'heartbeatMs' | 'maxBufferedBytes' | 'slowClientMs' | 'closeTimeoutMs' | 'maxClients' | 'maxPayloadBytes'
  >;
}

/** A running server. `close()` is the graceful shutdown; `await using` works too. */
export interface SkillsServer extends AsyncDisposable {
  app: FastifyInstance;
  store: Store;
  /** The WebSocket hub on /ws (`@skills/realtime`). */
  hub: RealtimeHub;
  /** The Prometheus exporter behind /metrics. */
  exporter: MetricsExporter;
  anomalyJob: AnomalyJob | undefined;
  /** `http://host:port` */
  url: string;
  /** `ws://host:port/ws` */
  wsUrl: string;
  /**
   * Stop accepting connections, let in-flight requests finish (closing the rest after
   * `shutdownTimeoutMs`), close WebSockets with 1001 (going away), stop the anomaly job, close
   * the store. Resolves when all of it is done; calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * Open the store, build the app, attach the WebSocket hub and the exporter, start the hourly
 * anomaly job, listen.
 * @example
 * const server = await startServer(resolveServerConfig({ port: '0' }, process.env));
 * console.log(server.url); await server.close();
 */
export async function startServer(config: ServerConfig, options: StartServerOptions = {}): Promise<SkillsServer> {
  // Synchronous writes: nothing is left to flush at exit, so a closed stdout (a log reader that
  // went away) cannot hold the process at exit.
  const logger =
    options.logger ??
    pino(
      { level: config.logLevel, base: { service: 'skills-server' }, redact: ['req.headers.authorization'] },
      pino.destination({ dest: 1, sync: true }),
    );
  const opened =
    options.store === undefined
      ? await openServerStore(config)
      : { store: options.store, dialect: options.dialect ?? 'sqlite', secretSource: undefined };
  const { store } = opened;
  const ownStore = options.store === undefined;
  let job: AnomalyJob | undefined;
  let app: FastifyInstance | undefined;
  let hub: RealtimeHub | undefined;
  let exporter: MetricsExporter | undefined;
  try {
    const realtimeLogger = logger.child({ component: 'realtime' });
    exporter = createMetricsExporter({ store, logger: realtimeLogger, ingestRoutes: INGEST_ROUTES });
    hub = createRealtimeHub({
      ...options.realtime,
      store,
      path: '/ws',
      tickMs: config.tickMs,
      // The feed is a read: open when reads are, else any read or write token.
      tokens: config.readTokens.length === 0 ? [] : [...config.readTokens, ...config.writeTokens],
      // None configured means any origin (the hub refuses every browser given an empty list).
      ...(config.allowedOrigins.length === 0 ? {} : { allowedOrigins: config.allowedOrigins }),
      logger: realtimeLogger,
    });
    app = await buildServer(config, {
      store,
      logger,
      metrics: exporter,
      ...(options.plugins === undefined ? {} : { plugins: options.plugins }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    const attached = hub;
    // WebSockets first, so their clients hear "going away" while requests still finish.
    app.addHook('preClose', () => attached.close());
    hub.attach(app.server);
    await Promise.all([hub.ready(), exporter.ready()]);
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app?.close().catch(() => undefined);
    await hub?.close().catch(() => undefined);
    await exporter?.close().catch(() => undefined);
    if (ownStore) await store.close();
    throw error;
  }
  if (config.anomalyJob) {
    job = createAnomalyJob({ store, dialect: opened.dialect, logger, ...(options.now === undefined ? {} : { now: options.now }) });
    job.start();
  }
  const retention =
    config.retention === undefined
      ? undefined
      : createRetentionJob({
          store,
          dialect: opened.dialect,
          logger,
          retentionMs: config.retention,
          ...(options.now === undefined ? {} : { now: options.now }),
        });
  retention?.start();
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info(
    { url, store: redactUrl(config.db), dialect: opened.dialect, secret: opened.secretSource, anomalyJob: config.anomalyJob },
    'listening',
  );

  const running = app;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const force = setTimeout(() => running.server.closeAllConnections(), config.shutdownTimeoutMs);
      force.unref();
      try {
        await running.close();
      } finally {
        clearTimeout(force);
        await job?.close();
        await retention?.close();
        await exporter?.close();
        if (ownStore) await store.close();
        logger.info('closed');
      }
    })());
  return {
    app: running,
    store,
    hub: hub!,
    exporter: exporter!,
    anomalyJob: job,
    url,
    wsUrl: `ws://${host}:${address.port}/ws`,
    close,
    [Symbol.asyncDispose]: close,
  };
}
