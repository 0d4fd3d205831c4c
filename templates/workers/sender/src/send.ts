import type { Context } from 'hono';
import type { SenderEnv } from './env.js';
import { forwardSigned } from './forward.js';
import { ApiError } from './lib/errors.js';
import { readJsonObject } from './lib/json-body.js';
import { readBearerToken } from './lib/session-token.js';
import { signingSecretsFromEnv, signRequest } from './lib/webhook-signature.js';

/** Largest body an app may send. */
export const maxSendBytes = 64 * 1024;
/** The names `appshell add-route --worker receiver` accepts. */
const actionPattern = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** The app's `{action, ...payload}` with its session JWT (header first, else the `jwt` field) inside the body. */
function envelopeToSign(envelope: Record<string, unknown>, authorization: string | undefined): string {
  if (typeof envelope.action !== 'string' || envelope.action.length > 64 || !actionPattern.test(envelope.action)) {
    throw new ApiError(400, 'bad_request', 'action must be a lowercase name such as provision-api-key');
  }
  if (envelope.jwt !== undefined && typeof envelope.jwt !== 'string') throw new ApiError(400, 'bad_request', 'jwt must be a string');
  const jwt = readBearerToken(authorization) ?? (envelope.jwt as string | undefined);
  const { jwt: _field, ...rest } = envelope;
  // The JWT travels inside the signed body, so the signature covers it: nobody can swap the user in transit.
  return JSON.stringify(jwt ? { ...rest, jwt } : rest);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Where the receiver is: `RECEIVER_URL` when set (a receiver in another account), else the service binding. */
function receiverTarget(c: Context<SenderEnv>): { send: (request: Request) => Promise<Response>; url: string } {
  const base = (c.env.RECEIVER_URL ?? '').trim().replace(/\/+$/, '');
  if (base) {
    if (!isHttpUrl(base)) {
      c.set('errorDetail', 'RECEIVER_URL is not an http(s) URL');
      throw new ApiError(500, 'misconfigured', 'Server misconfigured');
    }
    return { send: (request) => fetch(request), url: `${base}/inbox` };
  }
  const receiver = c.env.RECEIVER;
  if (!receiver) {
    c.set('errorDetail', 'neither RECEIVER_URL nor the RECEIVER binding is set');
    throw new ApiError(500, 'misconfigured', 'Server misconfigured');
  }
  // The host is never resolved: the service binding routes the request to the receiver.
  return { send: (request) => receiver.fetch(request), url: 'https://receiver.internal/inbox' };
}

/**
 * `POST /send` (public, CORS allow-list): validates the app's `{action, ...payload}`, puts the app's session JWT
 * inside the body, signs it with every secret of `SIGNING_SECRETS`, forwards it to the receiver's `/inbox`
 * (retrying transient failures with the same `webhook-id`), and relays the receiver's status and JSON body.
 */
export async function send(c: Context<SenderEnv>): Promise<Response> {
  const body = envelopeToSign(await readJsonObject(c, maxSendBytes), c.req.header('Authorization'));
  const target = receiverTarget(c);
  const signed = await signRequest(
    signingSecretsFromEnv(c.env),
    `msg_${crypto.randomUUID().replace(/-/g, '')}`,
    Math.floor(Date.now() / 1000),
    body,
  );
  if (!signed.ok) {
    c.set('errorDetail', `signing: ${signed.reason} (SIGNING_SECRETS)`);
    throw new ApiError(500, 'misconfigured', 'Server misconfigured');
  }
  const delay = Number(c.env.SEND_RETRY_BASE_MS ?? '200');
  const result = await forwardSigned({
    ...target,
    headers: signed.headers,
    body,
    baseDelayMs: Number.isFinite(delay) && delay >= 0 ? delay : 200,
  });
  if (!result.ok) {
    c.set('errorDetail', `receiver unreachable: ${result.detail}`);
    throw new ApiError(502, 'upstream_failed', 'The receiver could not be reached');
  }
  const { response, attempts } = result;
  const text = await response.text();
  if (response.status === 409 && attempts > 1) {
    // An earlier attempt reached the receiver after all; whether its action finished is unknown, and the app
    // never chose the id, so "replay" would only mislead it.
    c.set('errorDetail', `receiver saw attempt ${attempts} as a replay of an earlier attempt`);
    throw new ApiError(502, 'upstream_failed', 'The receiver failed; the request may have been processed');
  }
  try {
    JSON.parse(text);
  } catch {
    c.set('errorDetail', `receiver answered ${response.status} without JSON after ${attempts} attempt(s)`);
    throw new ApiError(502, 'upstream_failed', 'The receiver failed');
  }
  if (attempts > 1) c.set('errorDetail', `delivered after ${attempts} attempts`);
  return new Response(text, { status: response.status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}
