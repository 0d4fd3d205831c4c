import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { importJWK, SignJWT } from 'jose';
import { Webhook } from 'standardwebhooks';
import app from '../src/index.js';
import type { Env } from '../src/env.js';
import { testSessionKeys, testSessionSecret } from './fixtures/session-test-keys.js';
import { testSigningSecret } from './fixtures/signing-secrets.js';

export const inboxUrl = 'https://receiver.test/inbox';

/**
 * A request signed by the reference implementation (`standardwebhooks`), as any conforming sender would.
 * `headers` replaces (or with `undefined` removes) the signed headers, to build attacks.
 *
 * @example
 * const response = await call(signedRequest(JSON.stringify({ action: 'ping' })));
 */
export function signedRequest(
  body: string,
  options: { secret?: string; id?: string; timestamp?: number; headers?: Record<string, string | undefined> } = {},
): Request {
  const id = options.id ?? `msg_${crypto.randomUUID()}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = new Webhook(options.secret ?? testSigningSecret).sign(id, new Date(timestamp * 1000), body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const all: Record<string, string | undefined> = {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
    ...options.headers,
  };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) headers[name] = value;
  return new Request(inboxUrl, { method: 'POST', headers, body });
}

/** Calls the receiver with its test bindings, optionally changed (e.g. another SIGNING_SECRETS). */
export async function call(request: Request, overrides: Partial<Env> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(request, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A session JWT as the auth shim mints it, with the project's algorithm and the test key. */
export async function sessionFor(userId: string, options: { expiresIn?: number; roles?: string[]; tenant?: string } = {}): Promise<string> {
  const alg = env.SESSION_JWT_ALG === 'EdDSA' ? 'EdDSA' : 'HS256';
  const key = alg === 'EdDSA' ? await importJWK(testSessionKeys.privateJwk, 'EdDSA') : new TextEncoder().encode(testSessionSecret);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: options.roles ?? [], email: `${userId}@example.test`, ...(options.tenant ? { tenant: options.tenant } : {}) })
    .setProtectedHeader({ alg, typ: 'JWT', ...(alg === 'EdDSA' ? { kid: testSessionKeys.kid } : {}) })
    .setSubject(userId)
    .setIssuer(env.SESSION_JWT_ISSUER ?? '')
    .setAudience(env.SESSION_JWT_AUDIENCE ?? '')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 600))
    .sign(key);
}

/** How many API keys exist: a `provision-api-key` that ran leaves one more. */
export async function storedKeyCount(): Promise<number> {
  return (await env.API_KEYS.list({ prefix: 'key:' })).keys.length;
}

export function newUserId(): string {
  return `user_${crypto.randomUUID().slice(0, 8)}`;
}
