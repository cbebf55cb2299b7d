import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStoreFactories } from '@skills/storage/testing';
import WebSocket from 'ws';
import { createRealtimeHub, type RealtimeHub, type RealtimeHubOptions } from '../src/index.js';

/** SQLite always; PostgreSQL when SKILLS_TEST_PG_URL is set (CI sets it). */
export const storeFactories = createStoreFactories({ postgresUrl: process.env.SKILLS_TEST_PG_URL, prefix: 'skills-realtime-' });

export const HOUR = 3_600_000;

export interface RunningHub {
  hub: RealtimeHub;
  server: Server;
  /** ws://127.0.0.1:PORT/ws */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A real http.Server on 127.0.0.1:0 with the hub attached. */
export async function startHub(options: RealtimeHubOptions): Promise<RunningHub> {
  const server = createServer((_request, response) => {
    response.statusCode = 404;
    response.end();
  });
  const hub = createRealtimeHub(options);
  hub.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await hub.ready();
  const { port } = server.address() as AddressInfo;
  return {
    hub,
    server,
    port,
    url: `ws://127.0.0.1:${port}${options.path ?? '/ws'}`,
    async stop() {
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Message = { type: string; ts: number; data: any; [key: string]: any };

/** A real `ws` client that keeps every message it receives. */
export class TestClient {
  readonly messages: Message[] = [];
  private waiters: { match: (message: Message) => boolean; resolve: (message: Message) => void }[] = [];
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Message;
      this.messages.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Connect; resolves once the socket is open (not waiting for `connected`). */
  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** The next message (already received or to come) of this type, after `after` messages. */
  next(type: string, timeoutMs = 3000, predicate: (message: Message) => boolean = () => true): Promise<Message> {
    const found = this.messages.find((message) => message.type === type && predicate(message));
    if (found) {
      this.messages.splice(this.messages.indexOf(found), 1);
      return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${type} message within ${timeoutMs} ms; got ${this.messages.map((m) => m.type).join(', ')}`)),
        timeoutMs,
      );
      this.waiters.push({
        match: (message) => message.type === type && predicate(message),
        resolve: (message) => {
          clearTimeout(timer);
          this.messages.splice(this.messages.indexOf(message), 1);
          resolve(message);
        },
      });
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  close(): void {
    this.ws.close();
  }
}

/** The HTTP status of an upgrade the server refused. */
export function refusedStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      ws.close();
      reject(new Error('the upgrade was accepted'));
    });
    ws.on('error', () => {});
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
