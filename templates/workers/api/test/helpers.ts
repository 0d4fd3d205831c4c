import { env, SELF } from 'cloudflare:test';
import { importJWK, SignJWT, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { testSessionKeys } from './fixtures/session-test-keys.js';

export const base = 'https://api.test';

/** The session claims contract (DESIGN §4): what the auth shim puts in every session JWT. */
export interface SessionClaims {
  sub: string;
  email?: string;
  roles?: string[];
  tenant?: string;
}

/** A fresh user id per test, so tests never share a rate-limit budget or projects. */
export function newUserId(label = 'user'): string {
  return `${label}_${crypto.randomUUID().slice(0, 8)}`;
}

export function sessionAlgorithm(): 'HS256' | 'EdDSA' {
  return env.SESSION_JWT_ALG === 'EdDSA' ? 'EdDSA' : 'HS256';
}

/** The key this Worker trusts: the (test-only) shared secret, or the stand-in auth shim's Ed25519 key. */
async function signingKey(): Promise<CryptoKey | Uint8Array> {
  if (sessionAlgorithm() === 'EdDSA') return (await importJWK(testSessionKeys.privateJwk, 'EdDSA')) as CryptoKey;
  return new TextEncoder().encode(env.SESSION_JWT_SECRET);
}

export interface MintOptions {
  /** Seconds from now; default 600 (the auth shim's default lifetime). */
  expiresIn?: number;
  /** Seconds relative to now; default 0. */
  issuedAtOffset?: number;
  issuer?: string;
  audience?: string;
  header?: Partial<JWTHeaderParameters>;
  /** Extra or replacement claims, applied last (`undefined` removes one). */
  claims?: Record<string, unknown>;
}

/**
 * A session token minted the way the auth shim mints it: jose `SignJWT`, header `{alg, typ: 'JWT'}`, claims
 * sub/email/roles/tenant/iat/exp/iss/aud. Options bend one thing at a time for the attack tests.
 */
export async function mintSession(claims: SessionClaims, options: MintOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const alg = sessionAlgorithm();
  const payload: JWTPayload = {
    ...(claims.email !== undefined ? { email: claims.email } : {}),
    roles: claims.roles ?? [],
    ...(claims.tenant !== undefined ? { tenant: claims.tenant } : {}),
    sub: claims.sub,
    iss: options.issuer ?? env.SESSION_JWT_ISSUER,
    aud: options.audience ?? env.SESSION_JWT_AUDIENCE,
    iat: now + (options.issuedAtOffset ?? 0),
    exp: now + (options.expiresIn ?? 600),
  };
  for (const [name, value] of Object.entries(options.claims ?? {})) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  const header: JWTHeaderParameters = {
    alg,
    typ: 'JWT',
    ...(alg === 'EdDSA' ? { kid: testSessionKeys.kid } : {}),
    ...options.header,
  };
  return new SignJWT(payload).setProtectedHeader(header).sign(await signingKey());
}

export async function bearer(claims: SessionClaims, options?: MintOptions): Promise<Record<string, string>> {
  return { Authorization: `Bearer ${await mintSession(claims, options)}` };
}

/** Calls the Worker under test (the generated `src/index.ts`). */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(`${base}${path}`, init);
}

export async function callAs(claims: SessionClaims, path: string, init: RequestInit = {}): Promise<Response> {
  return call(path, { ...init, headers: { ...(await bearer(claims)), ...(init.headers as Record<string, string>) } });
}

export function jsonBody(value: unknown, method = 'POST'): RequestInit {
  return { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) };
}

export async function errorCode(response: Response): Promise<string> {
  const body = (await response.json()) as { error?: { code?: string } };
  return body.error?.code ?? '(no error envelope)';
}
