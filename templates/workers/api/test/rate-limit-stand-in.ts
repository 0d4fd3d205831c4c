import { env } from 'cloudflare:test';

/**
 * A stand-in Workers Rate Limiting binding: admits `limit` calls per key, as one location's counter does when it
 * is the only one a user reaches. The real binding counts per location and approximately; this one is exact, so
 * tests of the Worker's wiring (headers, envelope, keys) do not depend on how the binding settles.
 */
export function standInRateLimit(limit: number): RateLimit & { keys: string[] } {
  const counts = new Map<string, number>();
  const keys: string[] = [];
  return {
    keys,
    async limit({ key }) {
      keys.push(key);
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return { success: count <= limit };
    },
  };
}

/** Whether this project counts with the edge limiter (appshell.json `rateLimiter: "edge"`). */
export const edgeMode = env.RATE_LIMITER_MODE === 'edge';

/**
 * The Worker's env with a stand-in edge binding for each of `limits` the config does not bind (an extension a
 * test registers has its own limit; in a project with the edge limiter, the config binds only the manifest's).
 */
export function envWithEdgeLimits(limits: readonly number[]): typeof env {
  if (!edgeMode) return env;
  const extra = Object.fromEntries(
    limits
      .filter((limit) => !(env as unknown as Record<string, unknown>)[`RATE_LIMIT_EDGE_${limit}`])
      .map((limit) => [`RATE_LIMIT_EDGE_${limit}`, standInRateLimit(limit)]),
  );
  return { ...env, ...extra };
}
