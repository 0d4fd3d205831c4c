/// <reference types="node" />
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * A receiver outside workerd that checks signatures with the Standard Webhooks reference library: what a team's
 * receiver in another account (or another language) does. `POST /inbox` answers `{verified, id, body}`;
 * `POST /flaky-<n>/inbox` answers 503 to the first n deliveries of each webhook-id; `GET /log` lists deliveries.
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
      const id = request.headers['webhook-id'] as string | undefined;
      deliveries.push({ path: request.url ?? '', id });
      const flaky = /^\/flaky-(\d+)\/inbox$/.exec(request.url ?? '');
      if (flaky && deliveries.filter((entry) => entry.id === id && entry.path === request.url).length <= Number(flaky[1])) {
        return reply(503, { error: { code: 'unavailable', message: 'try again' } });
      }
      if (request.url === '/text/inbox') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        return response.end('not json');
      }
      try {
        const payload = webhook.verify(body, request.headers as Record<string, string>);
        reply(200, { verified: true, id, body: payload });
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
