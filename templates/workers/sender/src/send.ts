import type { Context } from 'hono';
import type { SenderEnv } from './env.js';
import { forwardSigned } from './forward.js';
import { ApiError } from './lib/errors.js';
import { readJsonObject } from './lib/json-body.js';
import { readBearerToken } from './lib/session-token.js';
import { signingSecretsFromEnv } from './lib/webhook-signature.js';

/** Largest body an app may send. */
export const maxSendBytes = 64 * 1024;
const actionPattern = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * `POST /send` (public): validates the app's `{action, ...payload}`, puts the app's session JWT (from
 * `Authorization: Bearer` or a `jwt` field) inside the body so the signature covers it, signs, forwards to the
 * receiver's `/inbox`, and relays the receiver's status and JSON body.
 */
export async function send(c: Context<SenderEnv>): Promise<Response> {
  const envelope = await readJsonObject(c, maxSendBytes);
  if (typeof envelope.action !== 'string' || !actionPattern.test(envelope.action)) {
    throw new ApiError(400, 'bad_request', 'action must be a lowercase name such as provision-api-key');
  }
  const headerToken = readBearerToken(c.req.header('Authorization'));
  if (envelope.jwt !== undefined && typeof envelope.jwt !== 'string') throw new ApiError(400, 'bad_request', 'jwt must be a string');
  const jwt = headerToken ?? (envelope.jwt as string | undefined);
  const body = JSON.stringify({ ...envelope, ...(jwt ? { jwt } : {}) });

  const secrets = signingSecretsFromEnv(c.env);
  if (secrets.length === 0) {
    c.set('errorDetail', 'SIGNING_SECRETS is not set');
    throw new ApiError(500, 'misconfigured', 'Server misconfigured');
  }
  const receiver = c.env.RECEIVER;
  const base = c.env.RECEIVER_URL?.replace(/\/+$/, '');
  if (!receiver && !base) {
    c.set('errorDetail', 'neither the RECEIVER binding nor RECEIVER_URL is set');
    throw new ApiError(500, 'misconfigured', 'Server misconfigured');
  }
  const delay = Number(c.env.SEND_RETRY_BASE_MS ?? '200');
  try {
    const { response, attempts } = await forwardSigned({
      send: receiver ? (request) => receiver.fetch(request) : (request) => fetch(request),
      url: receiver ? 'https://receiver.internal/inbox' : `${base}/inbox`,
      secrets,
      body,
      baseDelayMs: Number.isFinite(delay) && delay >= 0 ? delay : 200,
    });
    const text = await response.text();
    try {
      JSON.parse(text);
    } catch {
      c.set('errorDetail', `receiver answered ${response.status} without JSON after ${attempts} attempt(s)`);
      throw new ApiError(502, 'upstream_failed', 'The receiver failed');
    }
    if (attempts > 1) c.set('errorDetail', `delivered after ${attempts} attempts`);
    return new Response(text, { status: response.status, headers: { 'content-type': 'application/json; charset=utf-8' } });
  } catch (error) {
    const detail = (error as { detail?: string }).detail;
    if (detail) c.set('errorDetail', detail);
    throw error;
  }
}
