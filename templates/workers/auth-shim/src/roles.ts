/** What a session grants beyond identity. */
export interface Grants {
  roles: string[];
  tenant?: string;
  /** Why the stored grants were ignored (logged); the session then carries no roles. */
  problem?: string;
}

const rolePattern = /^[A-Za-z0-9_.:-]{1,64}$/;
const maxRoles = 64;
/** The api Worker puts the tenant first in storage keys (`<tenant>/<userId>/...`): no separators, no dots alone. */
const tenantPattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/**
 * Reads the roles (and optional tenant) of a user from the optional `ROLES` KV namespace, key
 * `roles:<userId>`, so a team grants `admin` without a code change:
 *
 *     wrangler kv key put --binding ROLES "roles:<userId>" '["admin"]'
 *     wrangler kv key put --binding ROLES "roles:<userId>" '{"roles": ["admin"], "tenant": "acme"}'
 *
 * No binding or no key means no roles. A value that is not one of those shapes is ignored as a whole (fail
 * closed: a typo never grants more than nothing) and reported in `problem`.
 *
 * @example
 * const grants = await readGrants(env.ROLES, identity.id); // { roles: ['admin'] }
 */
export async function readGrants(kv: KVNamespace | undefined, userId: string): Promise<Grants> {
  if (!kv) return { roles: [] };
  let value: unknown;
  try {
    value = await kv.get(`roles:${userId}`, 'json');
  } catch (error) {
    return { roles: [], problem: `roles unreadable: ${error instanceof Error ? error.name : 'error'}` };
  }
  if (value === null) return { roles: [] };
  const record = Array.isArray(value) ? { roles: value } : value;
  if (typeof record !== 'object' || record === null) return { roles: [], problem: 'roles value is not an array or object' };
  const { roles = [], tenant } = record as { roles?: unknown; tenant?: unknown };
  if (!Array.isArray(roles) || roles.length > maxRoles || !roles.every((role) => typeof role === 'string' && rolePattern.test(role))) {
    return { roles: [], problem: 'roles value holds something other than role names' };
  }
  if (tenant !== undefined && (typeof tenant !== 'string' || !tenantPattern.test(tenant))) {
    return { roles: [], problem: 'tenant is not a usable identifier' };
  }
  return { roles: [...new Set(roles as string[])], ...(tenant !== undefined ? { tenant: tenant as string } : {}) };
}
