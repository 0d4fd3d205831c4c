import type { Context } from 'hono';
import type { ApiEnv } from './env.js';
import { ApiError } from './lib/errors.js';
import type { AuthContext } from './lib/session-token.js';
import { callerPrefix } from './r2/keys.js';

/**
 * The caller's storage prefix (`<tenant>/<userId>/` or `<userId>/`), which is also who owns a job or a media id.
 * A session whose user id or tenant is not one plain path segment gets 403: it could otherwise reach into
 * someone else's space.
 *
 * @example
 * await env.R2.put(`${ownPrefix(c)}${key}`, body);
 */
export function ownPrefix(c: Context<ApiEnv>): string {
  const checked = callerPrefix(c.get('auth'));
  if (!checked.ok) {
    c.set('errorDetail', `owner prefix: ${checked.reason}`);
    throw new ApiError(403, 'forbidden', 'Not allowed');
  }
  return checked.prefix;
}

/** Who owns an object, as stored in its R2 `customMetadata`: the user, and the tenant when there is one. */
export function ownerMetadata(auth: AuthContext): Record<string, string> {
  return { userId: auth.userId, ...(auth.tenant ? { tenant: auth.tenant } : {}) };
}
