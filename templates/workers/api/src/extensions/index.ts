// The extension registry: every route the team adds to the API Worker, as plain data.
// `appshell add-route` rewrites this file from the `routes` of appshell.json; keep it a list of entries.
import { hello } from './hello.js';
import type { ExtensionRoute } from './types.js';

export type { ExtensionHandler, ExtensionRoute, PublicExtensionHandler } from './types.js';

/**
 * Routes mounted after the built-in groups. Each entry is `{ prefix, methods, public?, roles?, rateLimit?,
 * handler }`; see `ExtensionRoute` for what each field does.
 *
 * @example
 * import { invoices } from './invoices.js';
 * export const extensions: ExtensionRoute[] = [
 *   { prefix: '/v1/hello', methods: ['GET'], handler: hello },
 *   { prefix: '/v1/invoices', methods: ['GET', 'POST'], roles: ['billing'], rateLimit: 30, handler: invoices },
 * ];
 */
export const extensions: ExtensionRoute[] = [
  { prefix: '/v1/hello', methods: ['GET'], handler: hello },
];
