import type { MiddlewareHandler } from 'hono';
import type { ReceiverEnv } from './env.js';
import { ApiError } from './lib/errors.js';
import { readAtMost } from './lib/json-body.js';
import { signatureToleranceSeconds, signingSecretsFromEnv, verifySignature, type SignatureFailure } from './lib/webhook-signature.js';

/** Largest signed body the receiver reads (the sender accepts at most 64 KB from apps, plus the JWT it adds). */
export const maxInboxBytes = 80 * 1024;

export interface SignedRequestOptions {
  /** Bodies over this many bytes get 413 before any signature work. Default `maxInboxBytes`. */
  maxBytes?: number;
}

/** The one mapping from a signature failure to what the caller sees: nothing about which check failed. */
export function signatureRefusal(reason: SignatureFailure): ApiError {
  switch (reason) {
    case 'no_secret':
    case 'bad_secret':
      return new ApiError(500, 'misconfigured', 'Server misconfigured');
    case 'missing_headers':
    case 'bad_id':
    case 'bad_body':
    case 'bad_timestamp':
    case 'stale':
    case 'future':
    case 'bad_signature':
      return new ApiError(401, 'invalid_signature', 'Invalid or missing signature');
  }
}

/**
 * Lets a request through only if it is signed by a holder of one of `SIGNING_SECRETS` (Standard Webhooks:
 * every `v1` entry, constant-time compare, 300 s window both ways) and its `webhook-id` was not seen inside the
 * window (409 `replay`, remembered in the `REPLAY_GUARD` Durable Object). The verified body and id are in
 * `c.get('webhook')`; nothing after this middleware runs for a refused request.
 *
 * @example
 * app.on('POST', '/inbox', requireSignedRequest());
 */
export function requireSignedRequest(options: SignedRequestOptions = {}): MiddlewareHandler<ReceiverEnv> {
  const maxBytes = options.maxBytes ?? maxInboxBytes;
  return async function requireSignedRequestMiddleware(c, next) {
    // Size first, from the bytes actually read: a chunked body has no Content-Length to trust.
    if (Number(c.req.header('Content-Length') ?? '0') > maxBytes) throw new ApiError(413, 'too_large', `Body over ${maxBytes} bytes`);
    const body = await readAtMost(c.req.raw.body, maxBytes);

    const check = await verifySignature(signingSecretsFromEnv(c.env), c.req.raw.headers, body);
    if (!check.ok) {
      c.set('errorDetail', `signature: ${check.reason}`);
      throw signatureRefusal(check.reason);
    }

    // Remembered until the timestamp could no longer pass the window (plus a minute of clock slack).
    const expiresAtMs = (check.timestamp + signatureToleranceSeconds + 60) * 1000;
    const guard = c.env.REPLAY_GUARD.get(c.env.REPLAY_GUARD.idFromName(`webhook/${check.id}`));
    let fresh: boolean;
    try {
      fresh = await guard.claim(expiresAtMs);
    } catch (error) {
      // 503 makes the sender retry with the same id; the claim either happened (then 409) or not.
      c.set('errorDetail', `replay guard unavailable: ${error instanceof Error ? error.message : 'unknown'}`);
      throw new ApiError(503, 'unavailable', 'Try again shortly');
    }
    if (!fresh) {
      c.set('errorDetail', 'replay: webhook-id seen before');
      throw new ApiError(409, 'replay', 'Request already received');
    }
    c.set('webhook', { id: check.id, timestamp: check.timestamp, body, release: () => guard.release(expiresAtMs) });
    await next();
  };
}
