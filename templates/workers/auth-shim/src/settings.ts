import type { Env } from './env.js';
import type { Checked } from './refusals.js';

export type IdentityProvider = 'instant' | 'supabase';
export type SessionAlgorithm = 'HS256' | 'EdDSA';

/** The vars of one request, checked. Secrets are read by the modules that use them. */
export interface Settings {
  provider: IdentityProvider;
  algorithm: SessionAlgorithm;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  providerTimeoutMs: number;
}

export const defaultTtlSeconds = 600;
/** A session token cannot be revoked, so its life is kept short whatever the var says. */
export const maxTtlSeconds = 3600;
export const defaultRateLimitPerMinute = 30;
const defaultProviderTimeoutMs = 5_000;
const maxProviderTimeoutMs = 30_000;

/**
 * Reads and checks the vars. A value that is present but wrong is a deploy mistake and refuses every
 * request (`misconfigured`) rather than minting with a guess.
 *
 * @example
 * const settings = readSettings(c.env);
 * if (!settings.ok) refuse(c, settings);
 */
export function readSettings(env: Env): Checked<{ settings: Settings }> {
  const provider = env.IDENTITY_PROVIDER || 'instant';
  if (provider !== 'instant' && provider !== 'supabase') return misconfigured(`IDENTITY_PROVIDER ${provider} is not instant or supabase`);
  const algorithm = env.SESSION_JWT_ALG || 'HS256';
  if (algorithm !== 'HS256' && algorithm !== 'EdDSA') return misconfigured(`SESSION_JWT_ALG ${algorithm} is not HS256 or EdDSA`);
  if (!env.SESSION_JWT_ISSUER || !env.SESSION_JWT_AUDIENCE)
    return misconfigured('SESSION_JWT_ISSUER and SESSION_JWT_AUDIENCE are required');
  const ttl = positiveInteger(env.SESSION_TTL_SECONDS, defaultTtlSeconds);
  if (ttl === null) return misconfigured('SESSION_TTL_SECONDS is not a positive integer');
  const timeout = positiveInteger(env.PROVIDER_TIMEOUT_MS, defaultProviderTimeoutMs);
  if (timeout === null) return misconfigured('PROVIDER_TIMEOUT_MS is not a positive integer');
  return {
    ok: true,
    settings: {
      provider,
      algorithm,
      issuer: env.SESSION_JWT_ISSUER,
      audience: env.SESSION_JWT_AUDIENCE,
      ttlSeconds: Math.min(ttl, maxTtlSeconds),
      providerTimeoutMs: Math.min(timeout, maxProviderTimeoutMs),
    },
  };
}

/** `SESSION_RATE_LIMIT_PER_MINUTE`, default 30. */
export function readRateLimit(env: Env): Checked<{ perMinute: number }> {
  const perMinute = positiveInteger(env.SESSION_RATE_LIMIT_PER_MINUTE, defaultRateLimitPerMinute);
  if (perMinute === null) return misconfigured('SESSION_RATE_LIMIT_PER_MINUTE is not a positive integer');
  return { ok: true, perMinute };
}

/** The value as a positive integer, `fallback` when unset or empty, `null` when it is something else. */
function positiveInteger(value: string | undefined, fallback: number): number | null {
  if (value === undefined || value.trim() === '') return fallback;
  if (!/^\d+$/.test(value.trim())) return null;
  const number = Number(value);
  return Number.isSafeInteger(number) && number > 0 ? number : null;
}

function misconfigured(detail: string) {
  return { ok: false, reason: 'misconfigured', detail } as const;
}
