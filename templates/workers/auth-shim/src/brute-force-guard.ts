import type { MiddlewareHandler } from 'hono';
import type { AuthShimEnv } from './env.js';
import { checkRateLimit, rateLimitHeaders } from './lib/rate-limiter.js';
import { refuse } from './refusals.js';
import { readRateLimit } from './settings.js';

/**
 * Counts every session attempt against the client's IP (`CF-Connecting-IP`, set by Cloudflare and not
 * forgeable through it) in the `RateLimiter` Durable Object: more than `SESSION_RATE_LIMIT_PER_MINUTE`
 * (default 30) in a minute get 429 `rate_limited` with `Retry-After`. Successful attempts count too, so
 * guessing tokens costs the same whatever the answer. Every answer carries the `RateLimit-*` headers.
 *
 * @example
 * app.post('/auth/session', bruteForceGuard());
 */
export function bruteForceGuard(): MiddlewareHandler<AuthShimEnv> {
  return async function bruteForceGuardMiddleware(c, next) {
    const limit = readRateLimit(c.env);
    if (!limit.ok) refuse(c, limit);
    if (!c.env.RATE_LIMITER) refuse(c, { ok: false, reason: 'misconfigured', detail: 'RATE_LIMITER binding is missing' });
    const key = `session:${clientKey(c.req.header('cf-connecting-ip'))}`;
    const decision = await checkRateLimit(c.env.RATE_LIMITER, key, limit.perMinute, 60);
    const headers = rateLimitHeaders(decision);
    if (!decision.allowed) refuse(c, { ok: false, reason: 'rate_limited', retryAfterSeconds: decision.resetSeconds, headers });
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
  };
}

/**
 * What one client is, for counting: an IPv4 address, or the /64 prefix of an IPv6 address (one subscriber
 * usually holds a whole /64, so counting single IPv6 addresses would let one client rotate through billions).
 *
 * @example
 * clientKey('2001:db8:1:2:3:4:5:6'); // 'ip6:2001:db8:1:2::/64'
 */
export function clientKey(ip: string | undefined): string {
  const address = ip?.trim().toLowerCase();
  if (!address) return 'ip:unknown';
  if (!address.includes(':')) return `ip:${address}`;
  const groups = expandIpv6(address);
  if (!groups) return `ip:${address}`;
  // An IPv4-mapped address (::ffff:192.0.2.1) is that IPv4 client.
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return `ip:${[groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.')}`;
  }
  return `ip6:${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (`::` and a dotted IPv4 tail expanded), or null if malformed. */
function expandIpv6(address: string): number[] | null {
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string | undefined): number[] | null => {
    if (!part) return [];
    const groups: number[] = [];
    for (const piece of part.split(':')) {
      if (/^\d+\.\d+\.\d+\.\d+$/.test(piece)) {
        const octets = piece.split('.').map(Number);
        if (octets.some((octet) => octet > 255)) return null;
        groups.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!);
      } else if (/^[0-9a-f]{1,4}$/.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return groups;
  };
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : null;
}
