/// <reference types="node" />
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * A receiver outside workerd that checks signatures with the Standard Webhooks reference library: what a team's
 * receiver in another account (or another language) does. Paths:
 * - `POST /inbox`: `{verified, id, body, entries}` (200) or `{verified: false, reason}` (401);
 * - `POST /flaky-<n>/inbox`: 503 for the first n deliveries of each webhook-id, then as `/inbox`;
 * - `POST /lost/inbox`: 503 for the first delivery of each id (as if the answer got lost), 409 `replay` after;
 * - `POST /text/inbox`: 200 with a body that is not JSON;
 * - `GET /log`: every delivery so far (`{path, id}`).
 */
export async function startReferenceReceiver(secret: string): Promise<{ url: string; close: () => Promise<void> }> {
  const webhook = new Webhook(secret);
  const deliveries: { path: string; id: string | undefined }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const reply = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (request.method === 'GET' && request.url === '/log') return reply(200, deliveries);
      const path = request.url ?? '';
      const id = request.headers['webhook-id'] as string | undefined;
      deliveries.push({ path, id });
      const seen = deliveries.filter((entry) => entry.id === id && entry.path === path).length;
      const flaky = /^\/flaky-(\d+)\/inbox$/.exec(path);
      if (flaky && seen <= Number(flaky[1])) return reply(503, { error: { code: 'unavailable', message: 'try again' } });
      if (path === '/lost/inbox') {
        return seen === 1
          ? reply(503, { error: { code: 'unavailable', message: 'try again' } })
          : reply(409, { error: { code: 'replay', message: 'Request already received' } });
      }
      if (path === '/text/inbox') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        return response.end('not json');
      }
      try {
        const payload = webhook.verify(body, request.headers as Record<string, string>);
        const entries = String(request.headers['webhook-signature'] ?? '').split(' ').length;
        reply(200, { verified: true, id, body: payload, entries });
      } catch (error) {
        reply(401, { verified: false, reason: (error as Error).message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
