/// <reference types="node" />
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startCloudflareApiStandIn } from './cloudflare-api-stand-in.js';
import { startS3StandIn } from './s3-stand-in.js';

/**
 * Runs in Node before the api tests: the S3 and Cloudflare API stand-ins on 127.0.0.1 (stopped at the end), and the
 * project's `openapi.json`, which the route tests hold against the app (`inject('openapi')`).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const s3 = await startS3StandIn({
    accessKeyId: `TEST${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    bucket: 'test-uploads',
  });
  const cloudflare = await startCloudflareApiStandIn();
  project.provide('s3', s3.fixture);
  project.provide('cloudflare', cloudflare.fixture);
  project.provide('openapi', JSON.parse(readFileSync(new URL('../../../../openapi.json', import.meta.url), 'utf8')));
  return async () => {
    await Promise.all([s3.close(), cloudflare.close()]);
  };
}
