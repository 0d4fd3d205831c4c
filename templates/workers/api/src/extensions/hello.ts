import type { PathHandler } from './types.js';

/**
 * The example extension: answers who is calling. Copy it to start a route of your own, then list it in
 * `index.ts` (or run `appshell add-route /v1/<name>`).
 *
 * @example
 * // GET /v1/hello with a session token
 * // -> 200 {"hello":"user_123","roles":["member"],"tenant":null,"path":"/v1/hello"}
 */
export const hello: PathHandler<'/v1/hello'> = (c) => {
  const auth = c.get('auth');
  return c.json({ hello: auth.userId, roles: auth.roles, tenant: auth.tenant ?? null, path: c.req.path });
};
