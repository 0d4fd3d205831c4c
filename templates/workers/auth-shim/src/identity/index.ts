import type { Env } from '../env.js';
import type { IdentityProvider } from '../settings.js';
import { verifyInstantRefreshToken } from './instant.js';
import { verifySupabaseAccessToken } from './supabase.js';
import type { IdentityResult } from './types.js';

export type { IdentityResult, VerifiedIdentity } from './types.js';

/** The body field that carries each provider's token in `POST /auth/session`. */
export const tokenField: Record<IdentityProvider, string> = {
  instant: 'refresh_token',
  supabase: 'access_token',
};

/**
 * Asks the configured identity provider who `token` belongs to.
 *
 * @example
 * const result = await verifyIdentityToken('instant', env, token, 5000);
 */
export function verifyIdentityToken(provider: IdentityProvider, env: Env, token: string, timeoutMs: number): Promise<IdentityResult> {
  switch (provider) {
    case 'instant':
      return verifyInstantRefreshToken(env, token, timeoutMs);
    case 'supabase':
      return verifySupabaseAccessToken(env, token, timeoutMs);
  }
}
