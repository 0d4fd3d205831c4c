import type { Checked } from '../refusals.js';

/** Who the identity provider says the caller is. Nothing else from the provider's answer is kept. */
export interface VerifiedIdentity {
  id: string;
  email?: string;
}

export type IdentityResult = Checked<{ identity: VerifiedIdentity }>;

/** Provider user ids become the session `sub`, which the api Worker uses in storage keys: no separators. */
const userIdPattern = /^[A-Za-z0-9._:@|+-]{1,128}$/;

/**
 * Keeps only `id` and `email` of a provider's user object (Instant's carries the refresh token itself, which
 * must never be passed on), and checks they are safe to put in a session.
 */
export function identityFromUser(user: unknown): IdentityResult {
  if (typeof user !== 'object' || user === null) return { ok: false, reason: 'provider_failed', detail: 'answer without a user' };
  const { id, email } = user as { id?: unknown; email?: unknown };
  if (typeof id !== 'string' || !userIdPattern.test(id) || id === '.' || id === '..') {
    return { ok: false, reason: 'provider_failed', detail: 'user id missing or unusable' };
  }
  const identity: VerifiedIdentity = { id };
  if (typeof email === 'string' && email.length > 0 && email.length <= 320) identity.email = email;
  return { ok: true, identity };
}

/**
 * Waits for `work` at most `timeoutMs`; afterwards the caller gets `provider_timeout` (the request it started
 * is left to finish on its own: the SDK takes no abort signal).
 */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), timeoutMs);
  });
  try {
    return await Promise.race([work.then((value) => ({ done: true as const, value })), timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** Whether `value` is an absolute http(s) URL (settings are checked before anything is sent to them). */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
