import { readFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import {
  createClaudeCodeIngest,
  decodeLogsRequest,
  encodeLogsResponse,
  encodeStatus,
  HOOKS_PATH,
  LOGS_PATH,
  OtlpFormatError,
  phaseRules,
  type ClaudeCodeIngestOptions,
} from '@skills/integrations';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ServerPlugin, ServerPluginOptions } from '../build-server.js';
import { ConfigError, type ServerConfig } from '../config.js';
import { HttpError } from '../http-errors.js';
import { isJsonContentType } from './api-route.js';

export interface ClaudeCodeRouteOptions extends Omit<ClaudeCodeIngestOptions, 'now'> {
  /** Request header naming the user a hook belongs to (default `x-skills-user`). */
  userHeader?: string | undefined;
  /** How often runs whose time ran out are recorded (default every 10 s). */
  sweepEveryMs?: number | undefined;
  /** Also serve `POST /v1/logs` alone on this port (OTLP's 4318), on the server's host. */
  otlpPort?: number | undefined;
}

/** The route options from the server's configuration; reads the phase rules file, naming it when it is wrong. */
export async function claudeCodeOptions(config: ServerConfig): Promise<ClaudeCodeRouteOptions> {
  let phaseOf: ClaudeCodeRouteOptions['phaseOf'];
  const file = config.claudeCodePhasesFile;
  if (file !== undefined) {
    let rules: unknown;
    try {
      rules = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(
        '--claude-code-phases',
        `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(error as Error).message})`}`,
      );
    }
    try {
      phaseOf = phaseRules(rules);
    } catch (error) {
      throw new ConfigError('--claude-code-phases', `${file}: ${(error as Error).message}`);
    }
  }
  return {
    recordPrompts: config.claudeCodePrompts,
    allTools: config.claudeCodeAllTools,
    userHeader: config.claudeCodeUserHeader,
    phaseOf,
    otlpPort: config.otlpPort,
  };
}

const PROTOBUF = 'application/x-protobuf';

/**
 * Claude Code's three live sources on the server (@skills/integrations does the mapping):
 * - `POST /v1/integrations/claude-code/hooks`: the JSON an `"type": "http"` hook posts (one
 *   object or an array), behind a write token; the user from the `x-skills-user` header;
 * - `POST /v1/logs`: OTLP/HTTP logs, JSON or protobuf, gzip or not, answered as the OTLP
 *   specification says (200 with a partial success naming rejected records, 400 with a Status
 *   for data that is not a logs request, 413 over the body limit, 415 for another type).
 * Runs opened and never closed are swept into abandoned invocations every 10 s.
 */
export function claudeCodeRoutes(options: ClaudeCodeRouteOptions = {}): ServerPlugin {
  return async (app, pluginOptions) => {
    const { store } = pluginOptions;
    const ingest = createClaudeCodeIngest(store, options);
    mountRoutes(app, ingest, options, pluginOptions);
    if (options.otlpPort !== undefined) {
      // OTLP's own port: the logs route alone, same ingest, same tokens.
      const otlp: FastifyInstance = Fastify({ loggerInstance: app.log, bodyLimit: pluginOptions.config.bodyLimitBytes });
      otlp.setErrorHandler((error, _request, reply) => {
        const failure = error as Error & { statusCode?: number };
        return reply
          .status(failure instanceof HttpError ? failure.statusCode : (failure.statusCode ?? 500))
          .send({ code: 3, message: failure.message });
      });
      mountRoutes(otlp, ingest, options, pluginOptions, { logsOnly: true });
      await otlp.listen({ host: pluginOptions.config.host, port: options.otlpPort });
      app.log.info(`OTLP/HTTP logs on http://${pluginOptions.config.host}:${(otlp.server.address() as { port: number }).port}/v1/logs`);
      app.addHook('onClose', async () => {
        await otlp.close();
      });
    }
    const every = options.sweepEveryMs ?? 10_000;
    const timer = setInterval(() => {
      ingest.sweep().catch((error: unknown) => app.log.error({ err: error }, 'recording expired Claude Code runs failed'));
    }, every);
    timer.unref();
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await ingest.sweep().catch(() => undefined);
    });
  };
}

function mountRoutes(
  app: FastifyInstance,
  ingest: ReturnType<typeof createClaudeCodeIngest>,
  options: ClaudeCodeRouteOptions,
  { checkAccess }: ServerPluginOptions,
  { logsOnly = false } = {},
): void {
  const userHeader = (options.userHeader ?? 'x-skills-user').toLowerCase();
  let warnedPlaceholder = false;
  const userOf = (request: FastifyRequest) => {
    const value = request.headers[userHeader];
    const user = Array.isArray(value) ? value[0] : value;
    return user && user.trim() !== '' ? user.trim() : undefined;
  };

  // Gzip bodies (OTLP exporters compress by default in some setups); the body limit applies to
  // the decompressed bytes, so a small bomb cannot expand past it.
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (request.headers['content-encoding'] !== 'gzip') return payload;
    delete request.headers['content-length'];
    return payload.pipe(createGunzip());
  });
  app.addContentTypeParser(PROTOBUF, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  if (!logsOnly)
    app.post(HOOKS_PATH, { onRequest: async (request) => checkAccess(request, 'write') }, async (request, reply) => {
      if (!isJson(request))
        throw new HttpError(415, 'unsupported_media_type', 'expected Content-Type application/json (a Claude Code hook input)');
      const report = await ingest.hooks(request.body, { userId: userOf(request) });
      if (report.rejected.length > 0 && report.rejected.length === report.received) {
        throw new HttpError(400, 'validation_failed', `${report.rejected.length} hook input(s) refused; nothing written`, {
          issues: report.rejected,
        });
      }
      return reply.send(report);
    });

  app.post(LOGS_PATH, { onRequest: async (request) => checkAccess(request, 'write') }, async (request, reply) => {
    const protobuf = (request.headers['content-type'] ?? '').toLowerCase().startsWith(PROTOBUF);
    if (!protobuf && !isJson(request)) {
      throw new HttpError(415, 'unsupported_media_type', `expected Content-Type application/json or ${PROTOBUF} (OTLP/HTTP logs)`);
    }
    let decoded: unknown;
    try {
      decoded = protobuf ? decodeLogsRequest(request.body as Buffer) : request.body;
      const report = await ingest.logs(decoded, { userId: userOf(request) });
      if (report.placeholderSkills > 0 && !warnedPlaceholder) {
        warnedPlaceholder = true;
        request.log.warn(
          'Claude Code sends user skills as "custom_skill" unless OTEL_LOG_TOOL_DETAILS=1; set it (skills connect claude-code does) or use the hooks, which name every skill',
        );
      }
      const rejected = report.rejected.length;
      const message = rejected > 0 ? report.rejected.map((r) => `record ${r.index}: ${r.field}: ${r.message}`).join('; ') : '';
      return sendLogsResponse(
        reply,
        protobuf,
        200,
        rejected > 0 ? { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage: message } } : {},
        () => encodeLogsResponse(rejected, message),
      );
    } catch (error) {
      if (error instanceof OtlpFormatError || (protobuf && !(error instanceof HttpError) && isDecodeError(error))) {
        const message = `not an OTLP logs request: ${(error as Error).message}`;
        return sendLogsResponse(reply, protobuf, 400, { code: 3, message }, () => encodeStatus(3, message));
      }
      throw error;
    }
  });
}

function isJson(request: FastifyRequest): boolean {
  return isJsonContentType(request.headers['content-type']);
}

function isDecodeError(error: unknown): boolean {
  return error instanceof Error && /index out of range|invalid wire type|illegal|premature|invalid/i.test(error.message);
}

function sendLogsResponse(reply: FastifyReply, protobuf: boolean, status: number, json: unknown, encode: () => Uint8Array) {
  if (protobuf) return reply.status(status).type(PROTOBUF).send(Buffer.from(encode()));
  return reply.status(status).type('application/json').send(json);
}
