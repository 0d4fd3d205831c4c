/// <reference types="node" />
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
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

/** Prompts that make the stand-in misbehave the ways the real API can. */
export const triggers = { fail: 'FAIL', slow: 'SLOW', malformed: 'MALFORMED' } as const;

type Reply = (status: number, value: unknown) => void;

function failure(reply: Reply, status: number, code: number, message: string): void {
  reply(status, { success: false, errors: [{ code, message }], messages: [], result: null });
}

function success(reply: Reply, result: unknown): void {
  reply(200, { success: true, errors: [], messages: [], result });
}

/** Workers AI `ai/run/<model>`: text models answer `{result: {response}}`, bart `{result: {summary}}`, SDXL PNG bytes. */
async function runModel(model: string, body: string, reply: Reply, response: ServerResponse): Promise<void> {
  let input: { prompt?: unknown; input_text?: unknown };
  try {
    input = JSON.parse(body) as typeof input;
  } catch {
    return failure(reply, 400, 5006, 'invalid JSON');
  }
  const field = model.includes('bart') ? 'input_text' : 'prompt';
  const text = input[field];
  if (typeof text !== 'string' || text.length === 0) return failure(reply, 400, 5006, `${field} is required`);
  if (text === triggers.fail) return failure(reply, 500, 3001, 'internal server error');
  if (text === triggers.slow) await new Promise((resolve) => setTimeout(resolve, 400));
  if (text === triggers.malformed) return success(reply, { unexpected: true });
  if (model.includes('stable-diffusion')) {
    response.writeHead(200, { 'content-type': 'image/png' });
    response.end(fakePng);
    return;
  }
  if (model.includes('bart')) return success(reply, { summary: `summary of ${text.length} characters` });
  return success(reply, { response: `echo: ${text}` });
}

/** Images v2 direct upload: multipart form; `metadata` must be JSON, `requireSignedURLs` true/false. */
async function imagesDirectUpload(request: IncomingMessage, body: Buffer, reply: Reply): Promise<void> {
  const contentType = request.headers['content-type'] ?? '';
  if (!contentType.startsWith('multipart/form-data')) return failure(reply, 415, 5415, 'expected multipart/form-data');
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  const metadata = form.get('metadata');
  if (metadata !== null) {
    try {
      JSON.parse(String(metadata));
    } catch {
      return failure(reply, 400, 5400, 'metadata is not JSON');
    }
  }
  const signed = form.get('requireSignedURLs');
  if (signed !== null && signed !== 'true' && signed !== 'false')
    return failure(reply, 400, 5400, 'requireSignedURLs must be true or false');
  const id = randomUUID();
  success(reply, { id, uploadURL: `https://upload.imagedelivery.net/test-hash/${id}` });
}

/** Stream direct upload: JSON with the required `maxDurationSeconds` (1 to 21600); `creator` at most 64 characters. */
function streamDirectUpload(body: string, reply: Reply): void {
  let input: { maxDurationSeconds?: unknown; creator?: unknown };
  try {
    input = JSON.parse(body) as typeof input;
  } catch {
    failure(reply, 400, 10005, 'invalid JSON');
    return;
  }
  const duration = input.maxDurationSeconds;
  if (!Number.isInteger(duration) || (duration as number) < 1 || (duration as number) > 21600) {
    failure(reply, 400, 10005, 'maxDurationSeconds must be 1 to 21600');
    return;
  }
  if (input.creator !== undefined && (typeof input.creator !== 'string' || input.creator.length > 64)) {
    failure(reply, 400, 10005, 'bad creator');
    return;
  }
  const uid = randomUUID().replace(/-/g, '');
  success(reply, { uid, uploadURL: `https://upload.videodelivery.net/${uid}`, watermark: null, scheduledDeletion: null });
}

/**
 * The Cloudflare REST API as the api Worker uses it, on 127.0.0.1: Workers AI `ai/run/<model>`, Images v2 and Stream
 * direct creator uploads, with the real request checks and `{success, errors, messages, result}` envelopes. A wrong
 * token is 401 and another account 403, as on Cloudflare; prompts in `triggers` fail, stall or answer a bad shape.
 * Every call is recorded: `GET /_calls?contains=<text>` lists those whose body contains the text.
 *
 * @example
 * const api = await startCloudflareApiStandIn();
 * // ... CF_API_BASE = api.fixture.base, CF_ACCOUNT_ID = api.fixture.accountId, CF_API_TOKEN = api.fixture.token ...
 * await api.close();
 */
export async function startCloudflareApiStandIn(): Promise<{ fixture: CloudflareApiFixture; close: () => Promise<void> }> {
  const accountId = randomUUID().replace(/-/g, '');
  const token = `test-token-${randomUUID()}`;
  const calls: RecordedCall[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      const url = new URL(request.url ?? '/', 'http://stand-in');
      const reply: Reply = (status, value) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (request.method === 'GET' && url.pathname === '/_calls') {
        const contains = url.searchParams.get('contains') ?? '';
        return reply(
          200,
          calls.filter((call) => call.body.includes(contains) || call.path.includes(contains)),
        );
      }
      calls.push({
        method: request.method ?? '',
        path: url.pathname,
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        body,
      });
      if (request.headers.authorization !== `Bearer ${token}`) return failure(reply, 401, 10000, 'Authentication error');
      const prefix = `/accounts/${accountId}/`;
      if (!url.pathname.startsWith(prefix)) return failure(reply, 403, 10000, 'Authentication error');
      const rest = decodeURIComponent(url.pathname.slice(prefix.length));
      const handled = (async () => {
        if (request.method === 'POST' && rest.startsWith('ai/run/')) return runModel(rest.slice('ai/run/'.length), body, reply, response);
        if (request.method === 'POST' && rest === 'images/v2/direct_upload') return imagesDirectUpload(request, raw, reply);
        if (request.method === 'POST' && rest === 'stream/direct_upload') return streamDirectUpload(body, reply);
        failure(reply, 404, 7003, 'Could not route to the requested path');
      })();
      handled.catch(() => failure(reply, 500, 1000, 'stand-in failed'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    fixture: { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accountId, token },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
