import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { dashboardAssetsDirectory } from '@skills/dashboard';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

interface Asset {
  body: Buffer;
  gzip: Buffer;
  type: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The page may load only what this server serves and talk only to it (HTTP and its WebSocket):
 * no CDN, nothing from outside, so it works offline and a script injected by data cannot call out.
 * The one inline script of index.html (the dashboard's boot, which starts the first render's
 * requests) is allowed by its hash alone.
 */
function contentSecurityPolicy(index: string): string {
  const hashes = [...index.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    ([, body]) => ` 'sha256-${createHash('sha256').update(body!).digest('base64')}'`,
  );
  return `default-src 'none'; script-src 'self'${hashes.join('')}; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

/** Read once at start: the build's few files, each also gzipped. */
function loadAssets(directory: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(join(directory, 'assets'))) {
    const body = readFileSync(join(directory, 'assets', name));
    assets.set(name, {
      body,
      gzip: gzipSync(body, { level: 9 }),
      type: TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream',
    });
  }
  const index = readFileSync(join(directory, 'index.html'));
  assets.set('index.html', { body: index, gzip: gzipSync(index, { level: 9 }), type: TYPES['.html']! });
  return assets;
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset) {
  void reply.type(asset.type).header('vary', 'accept-encoding').header('x-content-type-options', 'nosniff');
  if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}

/**
 * The dashboard (@skills/dashboard's build) at `/`: index.html is never cached (it names the
 * current hashed files), `/assets/<name>-<hash>.<ext>` are cached for a year. The page itself is
 * open; the data it reads is behind the API's tokens (the page asks for one when answered 401).
 */
export function dashboardPage(directory: string = dashboardAssetsDirectory): FastifyPluginAsync {
  return async (app) => {
    const assets = loadAssets(directory);
    const index = assets.get('index.html')!;
    const policy = contentSecurityPolicy(index.body.toString('utf8'));
    app.get('/', async (request, reply) => {
      void reply.header('cache-control', 'no-cache').header('content-security-policy', policy).header('referrer-policy', 'no-referrer');
      return send(request, reply, index);
    });
    app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
      const asset = request.params.file === 'index.html' ? undefined : assets.get(request.params.file);
      if (asset === undefined) {
        return reply.status(404).send({
          error: { code: 'not_found', message: `no dashboard asset ${request.params.file}`, kind: 'asset', id: request.params.file },
        });
      }
      void reply.header('cache-control', 'public, max-age=31536000, immutable');
      return send(request, reply, asset);
    });
  };
}
