import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { vi } from 'vitest';
import app from '../src/index.js';
import type { Env } from '../src/env.js';

let ipCounter = 0;

/**
 * A client IP no other test uses (TEST-NET-3 plus a random part), so the per-IP guard of one test never
 * counts another test's attempts.
 */
export function uniqueIp(): string {
  ipCounter += 1;
  const random = crypto.getRandomValues(new Uint8Array(2));
  return `203.${random[0]}.${random[1]}.${ipCounter % 256}`;
}

export interface SessionRequestOptions {
  ip?: string;
  origin?: string;
  contentType?: string | null;
  headers?: Record<string, string>;
}

/** `POST /auth/session` with a JSON body (a string body is sent as it is). */
export function sessionRequest(body: unknown, options: SessionRequestOptions = {}): Request {
  const headers = new Headers(options.headers);
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (contentType !== null) headers.set('content-type', contentType);
  headers.set('cf-connecting-ip', options.ip ?? uniqueIp());
  if (options.origin) headers.set('origin', options.origin);
  return new Request('https://auth.test/auth/session', {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/**
 * Calls the Worker's app inside workerd with this test's bindings plus `overrides` (the vitest config renders
 * one provider and one algorithm; this is how the tests reach the others).
 */
export async function callWorker(request: Request, overrides: Partial<Env> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(request, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** Pins HS256 for tests about HS256 (the rendered config may say EdDSA). */
export const hs256: Partial<Env> = { SESSION_JWT_ALG: 'HS256' };

/** Bindings that make the Worker use Supabase (the stand-in). */
export function supabaseEnv(supabase: { url: string; anonKey: string }): Partial<Env> {
  return { IDENTITY_PROVIDER: 'supabase', SUPABASE_URL: supabase.url, SUPABASE_ANON_KEY: supabase.anonKey };
}

/** Bindings that make the Worker use InstantDB (the stand-in). */
export function instantEnv(instant: { apiUri: string; appId: string }): Partial<Env> {
  return { IDENTITY_PROVIDER: 'instant', INSTANT_API_URI: instant.apiUri, INSTANT_APP_ID: instant.appId };
}

/** Collects what the Worker logs while `run` runs (the request log line is written with `console.log`). */
export async function captureLogs<T>(run: () => Promise<T>): Promise<{ result: T; logs: string[] }> {
  const logs: string[] = [];
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logs.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    }),
  );
  try {
    return { result: await run(), logs };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** The structured request log line among captured logs. */
export function requestLogLine(logs: string[]): Record<string, unknown> {
  const line = logs.map((text) => safeParse(text)).find((value) => value && value.service === 'auth-shim');
  if (!line) throw new Error(`no request log line among: ${logs.join('\n')}`);
  return line;
}

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Base64url decoding of a JWT segment, for tests that read the header and claims as sent. */
export function decodeSegment(segment: string): Record<string, unknown> {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))) as Record<string, unknown>;
}

/** Verifies a session token as a relying party would: algorithm pinned, issuer, audience, `typ` and claims required. */
export async function verifySessionToken(token: string, algorithm: 'HS256' | 'EdDSA', overrides: Partial<Env> = {}) {
  const options = {
    algorithms: [algorithm],
    issuer: env.SESSION_JWT_ISSUER,
    audience: env.SESSION_JWT_AUDIENCE,
    typ: 'JWT',
    requiredClaims: ['sub', 'iat', 'exp', 'iss', 'aud'],
  };
  if (algorithm === 'HS256')
    return jwtVerify(token, new TextEncoder().encode(overrides.SESSION_JWT_SECRET ?? env.SESSION_JWT_SECRET), options);
  const jwksResponse = await callWorker(new Request('https://auth.test/.well-known/jwks.json'), { SESSION_JWT_ALG: 'EdDSA', ...overrides });
  if (jwksResponse.status !== 200) throw new Error(`JWKS answered ${jwksResponse.status}`);
  return jwtVerify(token, createLocalJWKSet((await jwksResponse.json()) as JSONWebKeySet), options);
}
