/// <reference types="node" />
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a stand-in sees it. */
export interface StandInRequest {
  method: string;
  /** Path and query, e.g. `/runtime/auth/verify_refresh_token?app_id=...`. */
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface StandInResponse {
  status: number;
  body: unknown;
  /** Answer only after this many milliseconds (a slow provider). */
  delayMs?: number;
}

export interface RunningStandIn {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** Every request answered so far, oldest first. */
  requests: StandInRequest[];
  close(): Promise<void>;
}

const maxBodyBytes = 64 * 1024;

/**
 * Starts an HTTP server on 127.0.0.1 and a free port that answers every request with `handle`. `close()` also
 * drops connections still waiting on a slow answer, so a test run never hangs on it.
 *
 * @example
 * const server = await startStandIn(() => ({ status: 200, body: { ok: true } }));
 * // ... fetch(server.url) ...
 * await server.close();
 */
export async function startStandIn(
  handle: (request: StandInRequest) => StandInResponse | Promise<StandInResponse>,
): Promise<RunningStandIn> {
  const requests: StandInRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      const request: StandInRequest = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      void Promise.resolve(handle(request)).then(
        (response) => {
          if (!response.delayMs) return send(res, response);
          const timer = setTimeout(() => {
            timers.delete(timer);
            send(res, response);
          }, response.delayMs);
          timers.add(timer);
        },
        () => send(res, { status: 500, body: { message: 'stand-in failed' } }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, response: StandInResponse): void {
  if (res.destroyed) return;
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': typeof response.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** A URL on 127.0.0.1 where nothing listens: a port that was free a moment ago, opened and closed again. */
export async function reserveClosedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
