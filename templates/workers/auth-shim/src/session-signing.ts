import { calculateJwkThumbprint, CompactSign, compactVerify, importJWK, SignJWT } from 'jose';
import type { Env } from './env.js';
import type { VerifiedIdentity } from './identity/index.js';
import type { Checked } from './refusals.js';
import type { Grants } from './roles.js';
import type { SessionAlgorithm, Settings } from './settings.js';

/** An Ed25519 public key as `/.well-known/jwks.json` serves it: public members only, whatever was configured. */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

export type SigningKey = { alg: 'HS256'; key: CryptoKey } | { alg: 'EdDSA'; key: CryptoKey; kid: string; publicJwk: PublicJwk };

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
const minimumSecretBytes = 32;

// Keys are imported once per isolate and value; a rotated secret simply misses the cache.
let hmacCache: { secret: string; key: CryptoKey } | undefined;
let ed25519Cache: { jwk: string; keys: SigningKey[] } | undefined;

/**
 * The key that signs sessions: `SESSION_JWT_SECRET` (HS256, at least 32 bytes) or `SESSION_JWT_PRIVATE_JWK`
 * (EdDSA, an Ed25519 private JWK whose public half is checked against its private half). Problems are
 * `misconfigured`; the detail names the setting, never its value.
 *
 * @example
 * const key = await loadSigningKey(env, 'HS256');
 * if (!key.ok) refuse(c, key);
 */
export async function loadSigningKey(env: Env, algorithm: SessionAlgorithm): Promise<Checked<{ signingKey: SigningKey }>> {
  if (algorithm === 'HS256') {
    const named = [
      ['SESSION_JWT_SECRET', env.SESSION_JWT_SECRET],
      ['SESSION_JWT_SECRET_NEXT', env.SESSION_JWT_SECRET_NEXT],
    ] as const;
    const slots = named.filter(([, value]) => Boolean(value));
    // The primary slot names the problem when neither is set; a slot that is set must be a real key.
    const short =
      slots.length === 0 ? named[0] : slots.find(([, value]) => new TextEncoder().encode(value).byteLength < minimumSecretBytes);
    if (short) return misconfigured(`${short[0]} is missing or shorter than ${minimumSecretBytes} bytes`);
    // During a rotation both slots are set: the newer secret signs (the Workers that verify accept both).
    const secret = slots
      .map(([, value]) => value!)
      .reduce((newest, value) => (secretCreatedAt(value) > secretCreatedAt(newest) ? value : newest));
    if (hmacCache?.secret !== secret) {
      const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
      ]);
      hmacCache = { secret, key };
    }
    return { ok: true, signingKey: { alg: 'HS256', key: hmacCache.key } };
  }
  const slots = [env.SESSION_JWT_PRIVATE_JWK, env.SESSION_JWT_PRIVATE_JWK_NEXT].filter((text): text is string => Boolean(text?.trim()));
  const loaded = await loadEd25519Slots(slots.length > 0 ? slots : ['']);
  return loaded.ok ? { ok: true, signingKey: loaded.keys[0]! } : loaded;
}

/**
 * The Ed25519 keys of both slots (`SESSION_JWT_PRIVATE_JWK` and, during or after a rotation by
 * `appshell secrets --rotate`, `SESSION_JWT_PRIVATE_JWK_NEXT`), newest first by their `created_at` member: the
 * newest signs, and all are published in the JWKS so that tokens of the previous key verify until the rotation
 * is finished.
 */
async function loadEd25519Slots(texts: string[]): Promise<Checked<{ keys: SigningKey[] }>> {
  const cacheKey = texts.join('\n');
  if (ed25519Cache?.jwk === cacheKey) return { ok: true, keys: ed25519Cache.keys };
  const keys: { created: number; signingKey: SigningKey }[] = [];
  for (const text of texts) {
    const loaded = await importEd25519PrivateJwk(text);
    if (!loaded.ok) return loaded;
    keys.push({ created: createdAt(text), signingKey: loaded.signingKey });
  }
  const ordered = keys.sort((a, b) => b.created - a.created).map((entry) => entry.signingKey);
  ed25519Cache = { jwk: cacheKey, keys: ordered };
  return { ok: true, keys: ordered };
}

/**
 * When an HS256 secret was made: appshell writes `hs256_<unix seconds>_<random>`, so that the auth shim can tell the
 * newer of two slots; the whole text is the HMAC key. A secret in any other form counts as the oldest.
 */
export function secretCreatedAt(secret: string): number {
  const match = /^hs256_(\d{1,12})_/.exec(secret);
  return match ? Number(match[1]) : 0;
}

function createdAt(text: string): number {
  try {
    const value = (JSON.parse(text) as { created_at?: unknown }).created_at;
    return typeof value === 'number' ? value : 0;
  } catch {
    return 0;
  }
}

async function importEd25519PrivateJwk(text: string): Promise<Checked<{ signingKey: SigningKey }>> {
  let jwk: Record<string, unknown>;
  try {
    jwk = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return misconfigured('SESSION_JWT_PRIVATE_JWK is missing or not JSON');
  }
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.d !== 'string') {
    return misconfigured('SESSION_JWT_PRIVATE_JWK is not a private JWK');
  }
  const publicJwk = await toPublicJwk(jwk);
  if (!publicJwk) return misconfigured('SESSION_JWT_PRIVATE_JWK is not an Ed25519 (OKP) key');
  try {
    const key = (await importJWK({ kty: 'OKP', crv: 'Ed25519', x: publicJwk.x, d: jwk.d }, 'EdDSA')) as CryptoKey;
    // A private key pasted with another key's `x` would sign tokens that the published JWKS cannot verify.
    const probe = await new CompactSign(new TextEncoder().encode('appshell key check')).setProtectedHeader({ alg: 'EdDSA' }).sign(key);
    await compactVerify(probe, await importJWK(publicJwk, 'EdDSA'), { algorithms: ['EdDSA'] });
    return { ok: true, signingKey: { alg: 'EdDSA', key, kid: publicJwk.kid, publicJwk } };
  } catch {
    return misconfigured('SESSION_JWT_PRIVATE_JWK does not hold a usable Ed25519 key pair');
  }
}

/** The public members of an Ed25519 JWK, with its `kid` (the RFC 7638 thumbprint when it has none). */
async function toPublicJwk(jwk: Record<string, unknown>): Promise<PublicJwk | null> {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(jwk.x)) return null;
  const kid =
    typeof jwk.kid === 'string' && /^[\x21-\x7e]{1,128}$/.test(jwk.kid)
      ? jwk.kid
      : await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x });
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, alg: 'EdDSA', use: 'sig' };
}

/**
 * Signs the session JWT: `sub`, `email?`, `roles`, `tenant?`, `iat`, `exp`, `iss`, `aud`; header `alg`,
 * `typ: JWT` and, for EdDSA, `kid`. HS256 tokens carry no `kid` (there is one shared secret to verify with).
 *
 * @example
 * const { token, expiresAt } = await mintSessionToken(signingKey, settings, { id: 'u1' }, { roles: [] });
 */
export async function mintSessionToken(
  signingKey: SigningKey,
  settings: Pick<Settings, 'issuer' | 'audience' | 'ttlSeconds'>,
  identity: VerifiedIdentity,
  grants: Grants,
  nowMs: number = Date.now(),
): Promise<{ token: string; expiresAt: number }> {
  const issuedAt = Math.floor(nowMs / 1000);
  const expiresAt = issuedAt + settings.ttlSeconds;
  const claims = {
    ...(identity.email ? { email: identity.email } : {}),
    roles: grants.roles,
    ...(grants.tenant ? { tenant: grants.tenant } : {}),
  };
  const header = signingKey.alg === 'EdDSA' ? { alg: 'EdDSA', typ: 'JWT', kid: signingKey.kid } : { alg: 'HS256', typ: 'JWT' };
  const token = await new SignJWT(claims)
    .setProtectedHeader(header)
    .setSubject(identity.id)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(signingKey.key);
  return { token, expiresAt };
}

/**
 * The keys that verify sessions: the public halves of both key slots (newest first), then every key of `SESSION_JWT_PUBLIC_JWKS`
 * (a JWKS or an array of JWKs) not already listed. During a rotation that var keeps the previous key
 * published until the last token it signed has expired. Private members in the var are never served.
 *
 * @example
 * const jwks = await readPublicJwks(env); // { ok: true, jwks: { keys: [current, previous] } }
 */
export async function readPublicJwks(env: Env): Promise<Checked<{ jwks: { keys: PublicJwk[] } }>> {
  const slots = [env.SESSION_JWT_PRIVATE_JWK, env.SESSION_JWT_PRIVATE_JWK_NEXT].filter((text): text is string => Boolean(text?.trim()));
  const current = await loadEd25519Slots(slots.length > 0 ? slots : ['']);
  if (!current.ok) return current;
  const keys: PublicJwk[] = [];
  for (const signingKey of current.keys) {
    if (signingKey.alg === 'EdDSA' && !keys.some((key) => key.kid === signingKey.kid)) keys.push(signingKey.publicJwk);
  }
  const text = env.SESSION_JWT_PUBLIC_JWKS?.trim();
  if (text) {
    let listed: unknown;
    try {
      listed = JSON.parse(text);
    } catch {
      return misconfigured('SESSION_JWT_PUBLIC_JWKS is not JSON');
    }
    const entries = Array.isArray(listed) ? listed : (listed as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(entries)) return misconfigured('SESSION_JWT_PUBLIC_JWKS is not a JWKS');
    for (const entry of entries) {
      const publicJwk = typeof entry === 'object' && entry !== null ? await toPublicJwk(entry as Record<string, unknown>) : null;
      if (!publicJwk) return misconfigured('SESSION_JWT_PUBLIC_JWKS holds a key that is not Ed25519');
      if (!keys.some((key) => key.kid === publicJwk.kid)) keys.push(publicJwk);
    }
  }
  return { ok: true, jwks: { keys } };
}

function misconfigured(detail: string) {
  return { ok: false, reason: 'misconfigured', detail } as const;
}
