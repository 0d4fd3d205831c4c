import type { Context } from 'hono';
import type { ReceiverAction } from './actions/types.js';
import type { ReceiverEnv } from './env.js';
import { ApiError } from './lib/errors.js';
import { readAtMost } from './lib/json-body.js';
import { sessionFailureStatus, sessionVerifierFromEnv, type AuthContext } from './lib/session-token.js';
import { signatureToleranceSeconds, signingSecretsFromEnv, verifySignature, type SignatureFailure } from './lib/webhook-signature.js';

/** Largest signed body the receiver reads (the sender accepts at most 64 KB from apps, plus its envelope). */
export const maxInboxBytes = 80 * 1024;

/** The one mapping from a signature failure to what the sender sees: nothing about which check failed. */
function signatureRefusal(reason: SignatureFailure): ApiError {
  if (reason === 'no_secret' || reason === 'bad_secret') return new ApiError(500, 'misconfigured', 'Server misconfigured');
  return new ApiError(401, 'invalid_signature', 'Invalid or missing signature');
}

async function verifyUser(c: Context<ReceiverEnv>, jwt: unknown): Promise<AuthContext> {
  if (typeof jwt !== 'string' || jwt.length === 0) {
    c.set('errorDetail', 'user: no jwt in the signed body');
    throw new ApiError(401, 'invalid_token', 'A signed-in user is required');
  }
  const result = await sessionVerifierFromEnv(c.env)(jwt);
  if (!result.ok) {
    c.set('errorDetail', `user: ${result.reason}`);
    const { status, code } = sessionFailureStatus(result.reason);
    if (status === 401) throw new ApiError(401, 'invalid_token', 'Invalid or expired token');
    throw new ApiError(status, code, status === 502 ? 'Could not verify credentials' : 'Server misconfigured');
  }
  return result.auth;
}

/**
 * `POST /inbox`: signature (every `v1` entry, every secret, constant time, 300 s window) -> one-time
 * `webhook-id` (409 `replay`) -> the end user's session JWT when the action needs one -> the action's handler.
 * Nothing is dispatched unless every check before it passed.
 */
export function inboxHandler(actions: readonly ReceiverAction[]) {
  const byName = new Map(actions.map((action) => [action.name, action]));
  return async function inbox(c: Context<ReceiverEnv>): Promise<Response> {
    const declared = Number(c.req.header('Content-Length') ?? '0');
    if (declared > maxInboxBytes) throw new ApiError(413, 'too_large', `Body over ${maxInboxBytes} bytes`);
    const body = new TextDecoder().decode(await readAtMost(c.req.raw.body, maxInboxBytes));

    const signature = verifySignature(signingSecretsFromEnv(c.env), c.req.raw.headers, body);
    if (!signature.ok) {
      c.set('errorDetail', `signature: ${signature.reason}`);
      throw signatureRefusal(signature.reason);
    }
    const guard = c.env.REPLAY_GUARD.get(c.env.REPLAY_GUARD.idFromName(signature.id));
    const expiresAt = (signature.timestamp + signatureToleranceSeconds + 60) * 1000;
    if (!(await guard.claim(expiresAt))) {
      c.set('errorDetail', 'replay: webhook-id seen before');
      throw new ApiError(409, 'replay', 'Request already received');
    }

    let envelope: unknown;
    try {
      envelope = JSON.parse(body);
    } catch {
      throw new ApiError(400, 'invalid_json', 'Body is not valid JSON');
    }
    if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
      throw new ApiError(400, 'bad_request', 'Body must be a JSON object');
    }
    const { action: name, jwt, ...payload } = envelope as Record<string, unknown>;
    const action = typeof name === 'string' ? byName.get(name) : undefined;
    if (!action) {
      c.set('errorDetail', `action: unknown ${typeof name === 'string' ? name.slice(0, 64) : typeof name}`);
      throw new ApiError(400, 'unknown_action', 'Unknown action');
    }
    const base = { env: c.env, webhookId: signature.id, ctx: c.executionCtx };
    let result: unknown;
    if (action.requiresUser) {
      const user = await verifyUser(c, jwt);
      c.set('userId', user.userId);
      result = await action.handler(payload, { ...base, user });
    } else {
      result = await action.handler(payload, { ...base, user: null });
    }
    return result instanceof Response ? result : c.json(result ?? { ok: true });
  };
}
