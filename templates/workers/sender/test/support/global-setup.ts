/// <reference types="node" />
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { testSessionSecret } from '../fixtures/session-test-keys.js';
import { testSigningSecret } from '../fixtures/signing-secrets.js';
import { startReferenceReceiver } from './reference-receiver.js';

/** A port nothing listens on: the sender's connection errors and retries are tested against it. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * The real receiver (../receiver, its own config) served over HTTP on 127.0.0.1 by wrangler, for the
 * RECEIVER_URL path: a receiver in another account is reached exactly like this. Its session tokens are pinned
 * to HS256 with the test secret, whatever the project uses, since this path tests transport and signatures.
 */
async function startRealReceiver(configPath: string) {
  // Loaded by Node itself: through vitest's module runner, wrangler's bundle takes ten seconds to transform.
  const { unstable_dev } = createRequire(import.meta.url)('wrangler') as typeof import('wrangler');
  return unstable_dev(join(dirname(configPath), 'src/index.ts'), {
    config: configPath,
    ip: '127.0.0.1',
    port: 0,
    persist: false,
    inspect: false,
    logLevel: 'none',
    vars: { SIGNING_SECRETS: testSigningSecret, SESSION_JWT_SECRET: testSessionSecret, SESSION_JWT_ALG: 'HS256' },
    experimental: { disableExperimentalWarning: true, testMode: true },
  });
}

/** Runs in Node before the sender's tests: starts both receivers on 127.0.0.1 and stops them at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reference = await startReferenceReceiver(testSigningSecret);
  const real = await startRealReceiver(project.getProvidedContext().receiverConfigPath).catch(async (error: unknown) => {
    await reference.close();
    throw error;
  });
  project.provide('referenceReceiverUrl', reference.url);
  project.provide('realReceiverUrl', `http://127.0.0.1:${real.port}`);
  project.provide('closedPortUrl', await closedPortUrl());
  return async () => {
    await Promise.allSettled([real.stop(), reference.close()]);
  };
}
