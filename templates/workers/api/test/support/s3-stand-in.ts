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

/**
 * An S3-compatible endpoint on 127.0.0.1 that accepts only correctly presigned PUTs (checked with AWS's own
 * signer, see s3-presign-check.ts) and stores them in memory; `GET /_stored?key=` shows what was stored.
 * (The `s3rver` package does not verify V4 signatures, so it cannot stand in here.)
 */
export async function startS3StandIn(fixture: Omit<S3StandInFixture, 'endpoint'>): Promise<{ fixture: S3StandInFixture; close: () => Promise<void> }> {
  const objects = new Map<string, { body: Buffer; contentType?: string }>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
        if (request.method === 'GET' && url.pathname === '/_stored') {
          const object = objects.get(url.searchParams.get('key') ?? '');
          response.writeHead(object ? 200 : 404, { 'content-type': object?.contentType ?? 'text/plain' });
          return response.end(object?.body ?? 'missing');
        }
        const check = await checkPresignedRequest({
          method: request.method ?? 'GET',
          url,
          headers: request.headers as Record<string, string | undefined>,
          credentials: { accessKeyId: fixture.accessKeyId, secretAccessKey: fixture.secretAccessKey },
          now: new Date(),
        });
        const prefix = `/${fixture.bucket}/`;
        if (!check.ok || request.method !== 'PUT' || !url.pathname.startsWith(prefix)) {
          response.writeHead(403, { 'content-type': 'application/xml' });
          return response.end(`<Error><Code>${check.ok ? 'AccessDenied' : 'SignatureDoesNotMatch'}</Code><Message>${check.ok ? 'not allowed' : check.reason}</Message></Error>`);
        }
        const key = decodeURIComponent(url.pathname.slice(prefix.length));
        objects.set(key, { body: Buffer.concat(chunks), contentType: request.headers['content-type'] });
        response.writeHead(200, { etag: `"${key.length}"` });
        response.end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { fixture: { ...fixture, endpoint }, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
