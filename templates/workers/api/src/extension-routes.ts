import type { Context, Hono } from 'hono';
import { noteErrorDetail } from './cloudflare-api.js';
import type { ApiEnv } from './env.js';
import { type HttpMethod, route } from './lib/app.js';
import { ApiError } from './lib/errors.js';
import { rateLimitHeaders } from './lib/rate-limit-decision.js';
import { countRequest, type RateLimitGroup } from './rate-limit.js';
import type { ExtensionRoute, ProtectedExtensionRoute, PublicExtensionRoute } from './extensions/types.js';

/** The paths one entry answers: the prefix itself and everything below it. */
function pathsOf(prefix: string): string[] {
  const base = prefix.replace(/\/+$/, '');
  return [base, `${base}/*`];
}

/** Registers `handle` for each method of `entry` on its paths; other methods get 405 through `route`. */
function mount(app: Hono<ApiEnv>, entry: ExtensionRoute, handle: (c: Context<ApiEnv>) => Promise<Response>): void {
  const handlers: Partial<Record<HttpMethod, (c: Context<ApiEnv>) => Promise<Response>>> = {};
  for (const method of entry.methods) handlers[method] = handle;
  for (const path of pathsOf(entry.prefix)) route(app, path, handlers);
}

/**
 * Mounts the `public: true` entries; call before the auth guard so they need no token. A public entry with
 * `rateLimit` is limited per client IP.
 */
export function mountPublicExtensions(app: Hono<ApiEnv>, entries: readonly ExtensionRoute[]): void {
  for (const entry of entries.filter((e): e is PublicExtensionRoute => e.public === true)) {
    mount(app, entry, async function publicExtension(c) {
      if (entry.rateLimit !== undefined) {
        const ip = c.req.header('CF-Connecting-IP') ?? 'unknown';
        const decision = await countRequest(c.env, `ip:${ip}|group:${entry.prefix}`, entry.rateLimit).catch((error: unknown) => {
          noteErrorDetail(c, error);
          throw error;
        });
        if (!decision.allowed) throw new ApiError(429, 'rate_limited', 'Too many requests', rateLimitHeaders(decision));
        // The handler's own Response becomes the context's, so the headers land on it (as userRateLimit's do).
        c.res = await entry.handler(c.req.raw, c.env, null, c.executionCtx);
        for (const [name, value] of Object.entries(rateLimitHeaders(decision))) c.header(name, value);
        return c.res;
      }
      return entry.handler(c.req.raw, c.env, null, c.executionCtx);
    });
  }
}

/** Mounts the other entries; call after the auth guard and the rate limiter. Missing role: 403 `forbidden`. */
export function mountProtectedExtensions(app: Hono<ApiEnv>, entries: readonly ExtensionRoute[]): void {
  for (const entry of entries.filter((e): e is ProtectedExtensionRoute => e.public !== true)) {
    const roles = entry.roles ?? [];
    mount(app, entry, async function protectedExtension(c) {
      const auth = c.get('auth');
      if (roles.length > 0 && !roles.some((role) => auth.roles.includes(role))) {
        c.set('errorDetail', `roles: ${entry.prefix} needs one of ${roles.join(', ')}`);
        throw new ApiError(403, 'forbidden', 'Not allowed');
      }
      return entry.handler(c.req.raw, c.env, auth, c.executionCtx);
    });
  }
}

/** The per-user rate-limit groups the entries ask for (`rateLimit` on a protected entry). */
export function extensionRateLimitGroups(entries: readonly ExtensionRoute[]): RateLimitGroup[] {
  return entries
    .filter((entry): entry is ProtectedExtensionRoute => entry.public !== true && entry.rateLimit !== undefined)
    .map((entry) => ({ prefix: entry.prefix.replace(/\/+$/, ''), perMinute: entry.rateLimit! }));
}
