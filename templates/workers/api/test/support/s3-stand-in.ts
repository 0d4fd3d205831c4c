/// <reference types="node" />
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkPresignedRequest } from './s3-presign-check.js';

export interface S3StandInFixture {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

/** Largest object the stand-in keeps (it holds them in memory). */
const maxObjectBytes = 16 * 1024 * 1024;

function xmlError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

/**
 * An S3-compatible endpoint on 127.0.0.1 that accepts only correctly presigned PUTs into its one bucket (checked
 * with AWS's own signer, see s3-presign-check.ts) and keeps them in memory. `GET /_stored?key=<bucket-relative key>`
 * shows what was stored (bytes, with the Content-Type it arrived with); 404 when nothing was.
 * (The `s3rver` package does not verify V4 signatures, so it cannot stand in here.)
 *
 * @example
 * const s3 = await startS3StandIn({ accessKeyId: 'TESTKEY', secretAccessKey: 'test-secret', bucket: 'uploads' });
 * // ... presign against s3.fixture.endpoint ...
 * await s3.close();
 */
export async function startS3StandIn(
  fixture: Omit<S3StandInFixture, 'endpoint'>,
): Promise<{ fixture: S3StandInFixture; close: () => Promise<void> }> {
  const objects = new Map<string, { body: Buffer; contentType?: string }>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= maxObjectBytes) chunks.push(chunk);
    });
    request.on('end', () => {
      void (async () => {
        const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
        if (request.method === 'GET' && url.pathname === '/_stored') {
          const object = objects.get(url.searchParams.get('key') ?? '');
          response.writeHead(object ? 200 : 404, { 'content-type': object?.contentType ?? 'text/plain' });
          return response.end(object?.body ?? 'missing');
        }
        const reply = (status: number, code: string, message: string) => {
          response.writeHead(status, { 'content-type': 'application/xml' });
          response.end(xmlError(code, message));
        };
        const check = await checkPresignedRequest({
          method: request.method ?? 'GET',
          url,
          headers: request.headers,
          credentials: { accessKeyId: fixture.accessKeyId, secretAccessKey: fixture.secretAccessKey },
          now: new Date(),
        });
        if (!check.ok) return reply(403, 'SignatureDoesNotMatch', check.reason);
        const prefix = `${fixture.bucket}/`;
        if (request.method !== 'PUT' || !check.key.startsWith(prefix)) return reply(403, 'AccessDenied', 'only PUT into the bucket');
        if (size > maxObjectBytes) return reply(400, 'EntityTooLarge', 'too large for the stand-in');
        const key = check.key.slice(prefix.length);
        objects.set(key, {
          body: Buffer.concat(chunks),
          ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
        });
        response.writeHead(200, { etag: `"${size}"` });
        response.end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    fixture: { ...fixture, endpoint },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
