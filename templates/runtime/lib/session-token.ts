import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';

/**
 * Who is calling, taken from a verified session JWT (the public claims contract: `sub`, `email?`,
 * `roles[]`, `tenant?`). Handlers get this, never the token.
 *
 * @example
 * const handler = (request: Request, env: Env, auth: AuthContext) =>
 *   Response.json({ hello: auth.userId, admin: auth.roles.includes('admin') });
 */
export interface AuthContext {
  userId: string;
  email?: string;
  roles: string[];
  tenant?: string;
  /** Set when the caller used an API key instead of a session: which key, and the quota tier it names. */
  apiKey?: { keyId: string; tier: string };
}

/** The bindings and vars this module reads. */
export interface SessionTokenEnv {
  /** `HS256` (default) or `EdDSA`. */
  SESSION_JWT_ALG?: string;
  SESSION_JWT_ISSUER?: string;
  SESSION_JWT_AUDIENCE?: string;
  /** HS256 only: the secret shared with the auth shim (at least 32 bytes). */
  SESSION_JWT_SECRET?: string;
  /** HS256 only, during or after a rotation (`appshell secrets --rotate`): a token verifies with either slot. */
  SESSION_JWT_SECRET_NEXT?: string;
  /** EdDSA only: service binding to the auth shim, which serves `/.well-known/jwks.json`. */
  AUTH_SHIM?: Fetcher;
}

/** Why a token was refused. Logged; the client only ever sees a generic error (see `sessionFailureStatus`). */
export type SessionTokenFailure =
  | 'too_long'
  | 'malformed'
  | 'wrong_algorithm'
  | 'unsupported_header'
  | 'bad_signature'
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_type'
  | 'missing_claim'
  | 'invalid_claim'
  | 'keys_unavailable'
  | 'misconfigured';

export type SessionTokenResult =
  | { ok: true; auth: AuthContext; claims: JWTPayload }
  | { ok: false; reason: SessionTokenFailure; detail?: string };

export interface SessionVerifierOptions {
  algorithm: 'HS256' | 'EdDSA';
  issuer: string;
  audience: string;
  /** HS256: the shared secret. */
  secret?: string;
  /** HS256 during a key rotation: the other slot's secret; a token signed with either verifies. */
  secondSecret?: string;
  /** EdDSA: a fetcher (service binding) that serves the JWKS. */
  jwksFetcher?: Fetcher;
  /** Path of the JWKS on `jwksFetcher`. */
  jwksPath?: string;
  /** Allowed clock skew; at most 30 s. Default 5 s. */
  clockToleranceSeconds?: number;
  /** Oldest accepted `iat` (a token minted further back is refused even if `exp` says otherwise). Default 3600 s. */
  maxTokenAgeSeconds?: number;
  /** Tokens longer than this are refused before any parsing. Default and maximum 4096. */
  maxTokenLength?: number;
  /** Tests only: the clock jose checks `exp`/`nbf`/`iat` against. */
  now?: () => Date;
}

export type SessionVerifier = (token: string) => Promise<SessionTokenResult>;

const maxClockToleranceSeconds = 30;
const defaultMaxTokenLength = 4096;
/** Header parameters that point at keys; a verifier with a fixed key or our own JWKS must never meet them. */
const keyPointingHeaders = ['jku', 'jwk', 'x5u', 'x5c'] as const;
/** `sub` and `tenant` end up in storage keys and log lines: no separators, no control characters. */
const identifierPattern = /^(?!\.{1,2}$)[A-Za-z0-9._:@|+-]{1,128}$/;

/**
 * Builds a verifier with the algorithm pinned. Checks options once; a broken configuration makes every
 * call answer `misconfigured` (fail closed) instead of throwing per request.
 *
 * @example
 * const verify = createSessionVerifier({ algorithm: 'HS256', secret, issuer: 'my-auth-shim', audience: 'my-api' });
 * const result = await verify(token);
 * if (!result.ok) console.log(result.reason); // never send the reason to the client
 */
export function createSessionVerifier(options: SessionVerifierOptions): SessionVerifier {
  const problem = checkOptions(options);
  if (problem)
    return async function refuseMisconfigured() {
      return { ok: false, reason: 'misconfigured', detail: problem };
    };
  const maxLength = options.maxTokenLength ?? defaultMaxTokenLength;
  const getKey = keyResolver(options);
  const getSecondKey = options.algorithm === 'HS256' && options.secondSecret ? hmacKeyResolver(options.secondSecret) : undefined;
  const verifyOptions: JWTVerifyOptions = {
    algorithms: [options.algorithm],
    issuer: options.issuer,
    audience: options.audience,
    typ: 'JWT',
    requiredClaims: ['exp', 'iat', 'sub'],
    clockTolerance: options.clockToleranceSeconds ?? 5,
    maxTokenAge: options.maxTokenAgeSeconds ?? 3600,
  };
  const now = options.now;

  return async function verifySessionToken(token: string): Promise<SessionTokenResult> {
    // Bound the work an attacker can cause: no base64 decoding, JSON parsing or crypto on huge input.
    if (token.length > maxLength) return { ok: false, reason: 'too_long' };
    try {
      const checks = now ? { ...verifyOptions, currentDate: now() } : verifyOptions;
      const { payload, protectedHeader } = await jwtVerify(token, getKey, checks).catch((error: unknown) => {
        // Only a signature that the first key refuses is worth the second: every other check would fail alike.
        if (getSecondKey && error instanceof errors.JWSSignatureVerificationFailed) return jwtVerify(token, getSecondKey, checks);
        throw error;
      });
      const pointer = keyPointingHeaders.find((name) => name in protectedHeader);
      if (pointer) return { ok: false, reason: 'unsupported_header', detail: `header ${pointer}` };
      // With one fixed secret a `kid` selects nothing; accepting it would invite code that looks keys up by it.
      if (options.algorithm === 'HS256' && 'kid' in protectedHeader) {
        return { ok: false, reason: 'unsupported_header', detail: 'header kid with HS256' };
      }
      return authFromClaims(payload);
    } catch (error) {
      return failureFromError(error);
    }
  };
}

/** Checks the claims beyond what jose checks and turns them into the handler's `AuthContext`. */
export function authFromClaims(claims: JWTPayload): SessionTokenResult {
  const { sub, email, roles, tenant } = claims as JWTPayload & { email?: unknown; roles?: unknown; tenant?: unknown };
  if (typeof sub !== 'string' || !identifierPattern.test(sub)) return { ok: false, reason: 'invalid_claim', detail: 'sub' };
  if (email !== undefined && (typeof email !== 'string' || email.length > 320)) {
    return { ok: false, reason: 'invalid_claim', detail: 'email' };
  }
  if (tenant !== undefined && (typeof tenant !== 'string' || !identifierPattern.test(tenant))) {
    return { ok: false, reason: 'invalid_claim', detail: 'tenant' };
  }
  if (roles !== undefined && !(Array.isArray(roles) && roles.length <= 64 && roles.every((r) => typeof r === 'string'))) {
    return { ok: false, reason: 'invalid_claim', detail: 'roles' };
  }
  const auth: AuthContext = { userId: sub, roles: (roles as string[] | undefined) ?? [] };
  if (email !== undefined) auth.email = email;
  if (tenant !== undefined) auth.tenant = tenant;
  return { ok: true, auth, claims };
}

const verifiersByEnv = new WeakMap<object, SessionVerifier>();

/**
 * The verifier for this Worker's vars and secrets, built once per isolate (the HMAC key is imported once
 * and the JWKS cached between requests).
 *
 * @example
 * const result = await sessionVerifierFromEnv(c.env)(token);
 */
export function sessionVerifierFromEnv(env: SessionTokenEnv): SessionVerifier {
  let verifier = verifiersByEnv.get(env);
  if (!verifier) {
    verifier = createSessionVerifier(sessionVerifierOptionsFromEnv(env));
    verifiersByEnv.set(env, verifier);
  }
  return verifier;
}

export function sessionVerifierOptionsFromEnv(env: SessionTokenEnv): SessionVerifierOptions {
  const algorithm = (env.SESSION_JWT_ALG ?? 'HS256') as SessionVerifierOptions['algorithm'];
  // Either slot may hold the only secret: a finished rotation leaves the new value in whichever slot it went to.
  const [secret, secondSecret] = [env.SESSION_JWT_SECRET, env.SESSION_JWT_SECRET_NEXT].filter((value): value is string => Boolean(value));
  return {
    algorithm,
    issuer: env.SESSION_JWT_ISSUER ?? '',
    audience: env.SESSION_JWT_AUDIENCE ?? '',
    ...(secret !== undefined ? { secret } : {}),
    ...(secondSecret !== undefined ? { secondSecret } : {}),
    ...(env.AUTH_SHIM ? { jwksFetcher: env.AUTH_SHIM } : {}),
  };
}

/** Reads `Authorization: Bearer <token>` (scheme case-insensitive, RFC 7235). */
export function readBearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
  return match ? match[1]! : null;
}

function checkOptions(options: SessionVerifierOptions): string | null {
  if (options.algorithm !== 'HS256' && options.algorithm !== 'EdDSA') return `unsupported algorithm ${String(options.algorithm)}`;
  if (!options.issuer || !options.audience) return 'issuer and audience are required';
  const tolerance = options.clockToleranceSeconds ?? 5;
  if (!(tolerance >= 0 && tolerance <= maxClockToleranceSeconds)) return `clock tolerance must be 0..${maxClockToleranceSeconds} s`;
  if (options.maxTokenLength !== undefined && !(options.maxTokenLength > 0 && options.maxTokenLength <= defaultMaxTokenLength)) {
    return `max token length must be 1..${defaultMaxTokenLength}`;
  }
  if (options.algorithm === 'HS256') {
    // RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
    if (!options.secret || new TextEncoder().encode(options.secret).length < 32) return 'SESSION_JWT_SECRET missing or under 32 bytes';
    if (options.secondSecret !== undefined && new TextEncoder().encode(options.secondSecret).length < 32) {
      return 'SESSION_JWT_SECRET_NEXT under 32 bytes';
    }
  } else if (!options.jwksFetcher) {
    return 'EdDSA needs the AUTH_SHIM service binding';
  }
  return null;
}

function keyResolver(options: SessionVerifierOptions): JWTVerifyGetKey {
  if (options.algorithm === 'HS256') return hmacKeyResolver(options.secret!);
  const fetcher = options.jwksFetcher!;
  // The host is never resolved: the service binding routes the request to the auth shim.
  const url = new URL(options.jwksPath ?? '/.well-known/jwks.json', 'https://auth-shim.internal');
  return createRemoteJWKSet(url, {
    cacheMaxAge: 10 * 60_000,
    cooldownDuration: 30_000,
    timeoutDuration: 5_000,
    [customFetch]: async function fetchJwksThroughBinding(input, init) {
      try {
        return await fetcher.fetch(input, init);
      } catch (error) {
        throw new JwksUnavailable(error instanceof Error ? error.message : 'service binding failed');
      }
    },
  });
}

/** An HMAC key imported on first use and kept for the verifier's life. */
function hmacKeyResolver(secret: string): JWTVerifyGetKey {
  let key: Promise<CryptoKey> | undefined;
  return function hmacKey() {
    key ??= crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    return key;
  };
}

/** A JWKS fetch that failed below HTTP (binding missing, Worker down): the keys, not the token, are at fault. */
class JwksUnavailable extends Error {
  override name = 'JwksUnavailable';
}

function failureFromError(error: unknown): SessionTokenResult {
  const detail = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : 'unknown error';
  const fail = (reason: SessionTokenFailure): SessionTokenResult => ({ ok: false, reason, detail });
  if (error instanceof errors.JWTExpired) return fail('expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return fail('missing_claim');
    switch (error.claim) {
      case 'nbf':
      case 'iat':
        return fail('not_yet_valid');
      case 'iss':
        return fail('wrong_issuer');
      case 'aud':
        return fail('wrong_audience');
      case 'typ':
        return fail('wrong_type');
      default:
        return fail('invalid_claim');
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return fail('wrong_algorithm');
  if (error instanceof errors.JOSENotSupported) return fail('unsupported_header');
  if (error instanceof errors.JWSSignatureVerificationFailed) return fail('bad_signature');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return fail('unknown_key');
  if (error instanceof JwksUnavailable || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return fail('keys_unavailable');
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return fail('malformed');
  // jose's generic error is what a failed JWKS fetch (non-200) raises; anything else is a malformed input.
  if (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC') return fail('keys_unavailable');
  return fail('malformed');
}

/**
 * The one mapping from a refusal to what the client sees: every token problem is the same 401, so a caller
 * learns nothing about why; only a server-side fault gets another status.
 *
 * @example
 * const { status, code } = sessionFailureStatus(result.reason); // 401 'invalid_token'
 */
export function sessionFailureStatus(reason: SessionTokenFailure): { status: 401 | 500 | 502; code: string } {
  switch (reason) {
    case 'misconfigured':
      return { status: 500, code: 'misconfigured' };
    case 'keys_unavailable':
      return { status: 502, code: 'upstream_failed' };
    case 'too_long':
    case 'malformed':
    case 'wrong_algorithm':
    case 'unsupported_header':
    case 'bad_signature':
    case 'unknown_key':
    case 'expired':
    case 'not_yet_valid':
    case 'wrong_issuer':
    case 'wrong_audience':
    case 'wrong_type':
    case 'missing_claim':
    case 'invalid_claim':
      return { status: 401, code: 'invalid_token' };
  }
}
