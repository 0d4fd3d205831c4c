import type { Context } from 'hono';
import type { AuthShimEnv } from './env.js';
import { tokenField, verifyIdentityToken } from './identity/index.js';
import { ApiError } from './lib/errors.js';
import { refuse } from './refusals.js';
import { readGrants } from './roles.js';
import { loadSigningKey, mintSessionToken, readPublicJwks } from './session-signing.js';
import { readTokenFromBody } from './session-request.js';
import { readSettings } from './settings.js';

/** The answer of `POST /auth/session`. The provider's token is never part of it. */
export interface SessionResponse {
  token: string;
  token_type: 'Bearer';
  /** Unix seconds, equal to the token's `exp`. */
  expires_at: number;
  user: { id: string; email?: string };
}

/**
 * `POST /auth/session`: the provider token in the body (`refresh_token` for InstantDB, `access_token` for
 * Supabase) -> the provider says who it is -> roles from KV -> a short-lived session JWT.
 */
export async function createSession(c: Context<AuthShimEnv>): Promise<Response> {
  const checked = readSettings(c.env);
  if (!checked.ok) refuse(c, checked);
  const { settings } = checked;
  // Configuration first: a Worker that cannot mint must not spend the caller's token on the provider.
  const signing = await loadSigningKey(c.env, settings.algorithm);
  if (!signing.ok) refuse(c, signing);

  const body = await readTokenFromBody(c.req.raw, tokenField[settings.provider]);
  if (!body.ok) refuse(c, body);
  const verified = await verifyIdentityToken(settings.provider, c.env, body.token, settings.providerTimeoutMs);
  if (!verified.ok) refuse(c, verified);
  const { identity } = verified;
  c.set('userId', identity.id);

  const grants = await readGrants(c.env.ROLES, identity.id);
  if (grants.problem) c.set('errorDetail', grants.problem);
  const { token, expiresAt } = await mintSessionToken(signing.signingKey, settings, identity, grants);
  const answer: SessionResponse = {
    token,
    token_type: 'Bearer',
    expires_at: expiresAt,
    user: { id: identity.id, ...(identity.email ? { email: identity.email } : {}) },
  };
  c.header('Cache-Control', 'no-store');
  return c.json(answer);
}

/**
 * `GET /.well-known/jwks.json` (EdDSA only): the public keys that verify session tokens, for the api Worker
 * and anyone else who verifies them. With HS256 there is no public key, so the route does not exist.
 */
export async function serveJwks(c: Context<AuthShimEnv>): Promise<Response> {
  if ((c.env.SESSION_JWT_ALG || 'HS256') !== 'EdDSA') throw new ApiError(404, 'not_found', 'No such route');
  const jwks = await readPublicJwks(c.env);
  if (!jwks.ok) refuse(c, jwks);
  // Short enough that a rotation reaches verifiers within minutes; they refetch on an unknown `kid` anyway.
  c.header('Cache-Control', 'public, max-age=300');
  return c.json(jwks.jwks);
}
