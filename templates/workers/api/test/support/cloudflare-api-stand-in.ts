/// <reference types="node" />
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CloudflareApiFixture {
  base: string;
  accountId: string;
  token: string;
}

export interface RecordedCall {
  method: string;
  path: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

/** A PNG signature and a few bytes: what an image model answers over HTTPS. */
export const fakePng = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

/**
 * The Cloudflare REST API as the api Worker uses it: Workers AI `ai/run/<model>` (a prompt of `FAIL` answers 500),
 * Images v2 and Stream direct creator uploads. Every call is recorded (`GET /_calls`) so tests check the request
 * shape; a wrong token or account is refused as Cloudflare does (401 / 403 with `success: false`).
 */
export async function startCloudflareApiStandIn(): Promise<{ fixture: CloudflareApiFixture; close: () => Promise<void> }> {
  const accountId = randomUUID().replace(/-/g, '');
  const token = `test-token-${randomUUID()}`;
  const calls: RecordedCall[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      const reply = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (request.method === 'GET' && path === '/_calls') return reply(200, calls);
      calls.push({ method: request.method ?? '', path, authorization: request.headers.authorization, contentType: request.headers['content-type'], body });
      if (request.headers.authorization !== `Bearer ${token}`) return reply(401, { success: false, errors: [{ code: 10000, message: 'Authentication error' }] });
      const prefix = `/accounts/${accountId}/`;
      if (!path.startsWith(prefix)) return reply(403, { success: false, errors: [{ code: 10000, message: 'Authentication error' }] });
      const rest = path.slice(prefix.length);
      if (rest.startsWith('ai/run/')) {
        const model = rest.slice('ai/run/'.length);
        const input = JSON.parse(body || '{}') as { prompt?: string; input_text?: string };
        if (input.prompt === 'FAIL') return reply(500, { success: false, errors: [{ code: 3001, message: 'internal' }] });
        if (model.includes('stable-diffusion')) {
          response.writeHead(200, { 'content-type': 'image/png' });
          return response.end(fakePng);
        }
        if (model.includes('bart')) return reply(200, { success: true, result: { summary: `summary of ${input.input_text?.length ?? 0} characters` } });
        return reply(200, { success: true, result: { response: `echo: ${input.prompt}` } });
      }
      if (rest === 'images/v2/direct_upload') {
        const id = randomUUID();
        return reply(200, { success: true, result: { id, uploadURL: `https://upload.imagedelivery.net/test/${id}` } });
      }
      if (rest === 'stream/direct_upload') {
        const uid = randomUUID().replace(/-/g, '');
        return reply(200, { success: true, result: { uid, uploadURL: `https://upload.videodelivery.net/${uid}` } });
      }
      reply(404, { success: false, errors: [{ code: 7003, message: 'No route' }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    fixture: { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accountId, token },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
