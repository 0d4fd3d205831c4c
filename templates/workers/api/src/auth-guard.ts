import type { MiddlewareHandler } from 'hono';
import type { ApiEnv, Env } from './env.js';
import { ApiError } from './lib/errors.js';
import { invalidTokenError, sessionTokenRefusal } from './lib/session-refusal.js';
import {
  readBearerToken,
  sessionVerifierFromEnv,
  type SessionTokenFailure,
  type AuthContext,
  type SessionVerifier,
} from './lib/session-token.js';

/** Why the guard refused a request: a token problem, or no usable credential at all. */
export type AuthFailure = SessionTokenFailure | 'missing_credentials' | 'api_keys_disabled';

/** What a credential check answers: the caller's `AuthContext`, or a reason for the log. */
export type CredentialResult = { ok: true; auth: AuthContext } | { ok: false; reason: AuthFailure; detail?: string };

import { apiKeyPrefix } from './lib/api-keys.js';

export { apiKeyPrefix };

export interface AuthGuardOptions {
  /** The session verifier for this environment; the default reads the vars and secrets (`sessionVerifierFromEnv`). */
  sessionVerifier?: (env: Env) => SessionVerifier;
  /**
   * Seam for API keys: a credential starting with `obtk_` is handed here instead of to the JWT verifier.
   * Without it such credentials are refused like any bad token.
   */
  verifyApiKey?: (key: string, env: Env) => Promise<CredentialResult>;
}

/**
 * Requires `Authorization: Bearer <session JWT>` and puts the verified caller into `c.get('auth')`.
 * Every refusal is a generic 401 (`unauthorized` when no credential was sent, `invalid_token` otherwise,
 * with the matching `WWW-Authenticate`); the precise reason goes to the log line only.
 *
 * @example
 * app.use('*', authGuard());
 * app.get('/v1/me', (c) => c.json({ userId: c.get('auth').userId }));
 */
export function authGuard(options: AuthGuardOptions = {}): MiddlewareHandler<ApiEnv> {
  const verifierFor = options.sessionVerifier ?? sessionVerifierFromEnv;
  return async function authGuardMiddleware(c, next) {
    const result = await checkCredential(c.req.header('Authorization'), c.env, verifierFor, options.verifyApiKey);
    if (!result.ok) {
      c.set('errorDetail', `auth: ${result.reason}${result.detail ? ` (${result.detail})` : ''}`);
      throw refusal(result.reason);
    }
    c.set('auth', result.auth);
    c.set('userId', result.auth.userId);
    await next();
  };
}

async function checkCredential(
  header: string | undefined,
  env: Env,
  verifierFor: (env: Env) => SessionVerifier,
  verifyApiKey: AuthGuardOptions['verifyApiKey'],
): Promise<CredentialResult> {
  const credential = readBearerToken(header);
  if (credential === null) return { ok: false, reason: 'missing_credentials' };
  if (credential.startsWith(apiKeyPrefix)) {
    return verifyApiKey ? verifyApiKey(credential, env) : { ok: false, reason: 'api_keys_disabled' };
  }
  return verifierFor(env)(credential);
}

/** RFC 6750 §3.1: a refused bearer token gets the challenge with the `invalid_token` error code (a fresh object each time). */
const bearerChallenge = () => ({ 'WWW-Authenticate': 'Bearer error="invalid_token"' });

/** The one mapping from a refusal reason to what the client sees. */
export function refusal(reason: AuthFailure): ApiError {
  switch (reason) {
    case 'missing_credentials':
      // RFC 6750 §3.1: a request without credentials gets the challenge without an error code.
      return new ApiError(401, 'unauthorized', 'Authentication required', { 'WWW-Authenticate': 'Bearer' });
    case 'api_keys_disabled':
      return invalidTokenError(bearerChallenge());
    default:
      return sessionTokenRefusal(reason, bearerChallenge());
  }
}

/**
 * Lets a request through only if the caller holds at least one of `roles`; otherwise 403 `forbidden`. Runs after
 * `authGuard`; every route of the table with `roles` gets it (`routes/mount.ts`). `where` names the route in the log.
 *
 * @example
 * app.use('/v1/admin/*', requireRoles(['admin'], '/v1/admin'));
 */
export function requireRoles(roles: readonly string[], where: string): MiddlewareHandler<ApiEnv> {
  return async function requireRolesMiddleware(c, next) {
    if (roles.length > 0 && !roles.some((role) => c.get('auth').roles.includes(role))) {
      c.set('errorDetail', `roles: ${where} needs one of ${roles.join(', ')}`);
      throw new ApiError(403, 'forbidden', 'Not allowed');
    }
    await next();
  };
}
