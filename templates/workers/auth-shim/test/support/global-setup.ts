/// <reference types="node" />
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { ProvidedContext } from 'vitest';
import type { TestProject } from 'vitest/node';
import { startInstantStandIn } from './instant-stand-in.js';
import { reserveClosedPort } from './stand-in-server.js';
import { startSupabaseStandIn } from './supabase-stand-in.js';

/**
 * Runs in Node before the auth-shim tests: starts the InstantDB and Supabase stand-ins on 127.0.0.1, makes this
 * run's session keys, and hands all of it to the Worker's bindings (vitest.config.ts) and to the tests
 * (`inject`). The returned function stops the stand-ins when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [instant, supabase, closedPort] = await Promise.all([startInstantStandIn(), startSupabaseStandIn(), reserveClosedPort()]);
  const { privateKey } = generateKeyPairSync('ed25519');
  const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid: `test-${randomBytes(4).toString('hex')}`, alg: 'EdDSA' };

  const provided: Pick<ProvidedContext, 'instant' | 'supabase' | 'closedPort' | 'sessionKeys'> = {
    instant: instant.fixture,
    supabase: supabase.fixture,
    closedPort: { url: closedPort },
    sessionKeys: { hs256Secret: randomBytes(48).toString('base64url'), ed25519PrivateJwk: JSON.stringify(privateJwk) },
  };
  for (const key of Object.keys(provided) as (keyof typeof provided)[]) project.provide(key, provided[key]);

  return async function stopStandIns() {
    await Promise.all([instant.close(), supabase.close()]);
  };
}
