import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { importJWK, SignJWT } from 'jose';
import { inject } from 'vitest';
import app from '../src/index.js';
import type { Env } from '../src/env.js';
import { testSessionKeys, testSessionSecret } from './fixtures/session-test-keys.js';

export const sendUrl = 'https://sender.test/send';

/**
 * A session JWT as the auth shim mints it, for the receiver's issuer and audience (its config, not the
 * sender's). `alg` defaults to the project's; the receiver served over HTTP always takes HS256.
 */
export async function sessionFor(userId: string, options: { alg?: string; expiresIn?: number } = {}): Promise<string> {
  const { alg: projectAlg, issuer, audience } = inject('receiverSession');
  const alg = options.alg ?? projectAlg;
  const key = alg === 'EdDSA' ? await importJWK(testSessionKeys.privateJwk, 'EdDSA') : new TextEncoder().encode(testSessionSecret);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: [] })
    .setProtectedHeader({ alg, typ: 'JWT', ...(alg === 'EdDSA' ? { kid: testSessionKeys.kid } : {}) })
    .setSubject(userId)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 600))
    .sign(key);
}

/** A JSON `POST /send` as an app makes it. */
export function post(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(sendUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Calls the sender with its test bindings, optionally changed (another receiver, other secrets). */
export async function call(request: Request, overrides: Partial<Env> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(request, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** Bindings that send to the Node reference receiver (standardwebhooks) under `path`. */
export const viaReference = (path = '') => ({ RECEIVER_URL: `${inject('referenceReceiverUrl')}${path}` });

/** Bindings that send to the real receiver over HTTP (RECEIVER_URL), not through the service binding. */
export const viaRealReceiverUrl = () => ({ RECEIVER_URL: inject('realReceiverUrl'), RECEIVER: undefined });

export function newUserId(): string {
  return `user_${crypto.randomUUID().slice(0, 8)}`;
}
