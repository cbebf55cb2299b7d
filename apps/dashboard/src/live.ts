import { storedToken } from './api.js';

export type LiveStatus = 'connecting' | 'live' | 'disconnected';

export interface LiveFeedHandlers {
  onStatus(status: LiveStatus, retryInMs?: number): void;
  onMessage(type: string, data: unknown): void;
  /** After a reconnection: the page catches up from the HTTP API. */
  onReconnected(): void;
}

/**
 * The WebSocket on /ws (same origin): subscribes to the invocations and anomalies channels,
 * reconnects with exponential backoff (0.5 s doubling to 10 s, with jitter) when it drops.
 */
const decoder = new TextDecoder();

export function openLiveFeed(handlers: LiveFeedHandlers): { close(): void } {
  let socket: WebSocket | null = null;
  let attempt = 0;
  let everConnected = false;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    handlers.onStatus('connecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const ws = new WebSocket(url);
    socket = ws;
    // The hub may send a batch as a binary frame (one encoded buffer for every subscriber).
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      const token = storedToken();
      if (token !== null) ws.send(JSON.stringify({ token }));
      ws.send(JSON.stringify({ type: 'subscribe', channels: ['invocations', 'anomalies'] }));
      ws.send(JSON.stringify({ type: 'unsubscribe', channel: 'metrics' }));
    };
    ws.onmessage = (event) => {
      let message: { type?: string; data?: unknown };
      try {
        const text = typeof event.data === 'string' ? event.data : decoder.decode(event.data as ArrayBuffer);
        message = JSON.parse(text) as { type?: string; data?: unknown };
      } catch {
        return;
      }
      if (message.type === 'subscription_confirmed' || message.type === 'connected') {
        if (
          message.type === 'subscription_confirmed' ||
          (message.data as { channels?: string[] } | undefined)?.channels?.includes('invocations')
        )
          markLive();
        return;
      }
      if (message.type !== undefined) handlers.onMessage(message.type, message.data);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      if (closed) return;
      const delay = Math.min(10_000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      attempt++;
      handlers.onStatus('disconnected', delay);
      timer = setTimeout(connect, delay);
    };
  };

  const markLive = () => {
    attempt = 0;
    handlers.onStatus('live');
    if (everConnected) handlers.onReconnected();
    everConnected = true;
  };

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}
