import type { Context } from 'hono';
import type { ReceiverAction } from './actions/types.js';
import type { ReceiverEnv } from './env.js';
import { ApiError } from './lib/errors.js';
import { sessionTokenRefusal } from './lib/session-refusal.js';
import { sessionVerifierFromEnv, type SessionTokenFailure } from './lib/session-token.js';

export { maxInboxBytes } from './signed-request.js';

/** Why the end user of a `requiresUser` action was refused. */
type UserFailure = SessionTokenFailure | 'no_token';

/** The one mapping from a user refusal to what the caller sees: a generic 401 unless the server is at fault. */
function userRefusal(reason: UserFailure): ApiError {
  if (reason === 'no_token') return new ApiError(401, 'invalid_token', 'A signed-in user is required');
  return sessionTokenRefusal(reason);
}

function parseEnvelope(body: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body));
  } catch {
    throw new ApiError(400, 'invalid_json', 'Body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'bad_request', 'Body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * `POST /inbox`, after `requireSignedRequest`: reads the signed `{action, jwt?, ...payload}`, verifies the end
 * user's session JWT when the action needs one, and runs the action's handler from the registry
 * (`src/actions/index.ts`). Unknown action 400; a refused user 401 and the handler never runs.
 *
 * @example
 * app.on('POST', '/inbox', requireSignedRequest());
 * route(app, '/inbox', { POST: inboxHandler(actions) });
 */
export function inboxHandler(actions: readonly ReceiverAction[]) {
  const byName = new Map(actions.map((action) => [action.name, action]));
  return async function inbox(c: Context<ReceiverEnv>): Promise<Response> {
    const webhook = c.get('webhook');
    const { action: name, jwt, ...payload } = parseEnvelope(webhook.body);
    const action = typeof name === 'string' ? byName.get(name) : undefined;
    if (!action) {
      c.set('errorDetail', `action: unknown ${typeof name === 'string' ? name.slice(0, 64) : typeof name}`);
      throw new ApiError(400, 'unknown_action', 'Unknown action');
    }
    const base = { env: c.env, webhookId: webhook.id, ctx: c.executionCtx };
    if (!action.requiresUser) return respond(c, await action.handler(payload, { ...base, user: null }));

    const verified =
      typeof jwt === 'string' && jwt.length > 0 ? await sessionVerifierFromEnv(c.env)(jwt) : ({ ok: false, reason: 'no_token' } as const);
    if (!verified.ok) {
      c.set('errorDetail', `user: ${verified.reason}`);
      const refusal = userRefusal(verified.reason);
      // Nothing ran: a server-side failure (keys unreachable) must not turn the sender's retry into a "replay".
      if (refusal.status >= 500) await webhook.release();
      throw refusal;
    }
    c.set('userId', verified.auth.userId);
    return respond(c, await action.handler(payload, { ...base, user: verified.auth }));
  };
}

function respond(c: Context<ReceiverEnv>, result: unknown): Response {
  return result instanceof Response ? result : c.json(result ?? { ok: true });
}
