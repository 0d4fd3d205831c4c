import type { Context } from 'hono';
import type { AuthShimEnv } from './env.js';
import { ApiError } from './lib/errors.js';

/**
 * Why a session was not minted. Every check of this Worker returns one of these instead of throwing; the
 * reason and `detail` go to the log line, and `refusalToError` alone decides what the client sees.
 * `detail` never holds a token or a secret.
 */
export type Refusal =
  | { ok: false; reason: 'unsupported_content_type' | 'body_too_large' | 'malformed_json' | 'body_not_object' }
  | { ok: false; reason: 'token_missing' | 'token_not_string'; field: string }
  | { ok: false; reason: 'token_malformed' | 'token_rejected'; detail?: string }
  | { ok: false; reason: 'provider_unreachable' | 'provider_timeout' | 'provider_failed'; detail?: string }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number; headers: Record<string, string> }
  | { ok: false; reason: 'misconfigured'; detail: string };

export type Checked<T> = ({ ok: true } & T) | Refusal;

/** The largest body `POST /auth/session` reads. */
export const maxBodyBytes = 8 * 1024;

/**
 * The one mapping from a refusal to the wire. Token problems are one generic 401 (a caller learns nothing
 * about why), provider trouble is 502, our own configuration is 500; bad input names the field at fault.
 *
 * @example
 * throw refusalToError({ ok: false, reason: 'token_rejected' }); // 401 invalid_token
 */
export function refusalToError(refusal: Refusal): ApiError {
  switch (refusal.reason) {
    case 'unsupported_content_type':
      return new ApiError(400, 'unsupported_media_type', 'Send the body as application/json');
    case 'body_too_large':
      // DESIGN §4: too large is 413, like every other Worker's bounded body.
      return new ApiError(413, 'too_large', `The body must be at most ${maxBodyBytes} bytes`);
    case 'malformed_json':
      return new ApiError(400, 'invalid_json', 'The body is not valid JSON');
    case 'body_not_object':
      return new ApiError(400, 'bad_request', 'The body must be a JSON object');
    case 'token_missing':
      return new ApiError(400, 'bad_request', `"${refusal.field}" is required`);
    case 'token_not_string':
      return new ApiError(400, 'bad_request', `"${refusal.field}" must be a string`);
    case 'token_malformed':
    case 'token_rejected':
      return new ApiError(401, 'invalid_token', 'The identity token was not accepted');
    case 'provider_unreachable':
    case 'provider_timeout':
    case 'provider_failed':
      return new ApiError(502, 'upstream_failed', 'The identity provider could not be reached; try again');
    case 'rate_limited':
      return new ApiError(429, 'rate_limited', 'Too many attempts; try again later', refusal.headers);
    case 'misconfigured':
      return new ApiError(500, 'misconfigured', 'The service is not configured correctly');
  }
}

/** What the log line says about a refusal: the reason and its detail, never the client-facing text. */
export function describeRefusal(refusal: Refusal): string {
  if ('detail' in refusal && refusal.detail) return `${refusal.reason}: ${refusal.detail}`;
  if ('field' in refusal) return `${refusal.reason}: ${refusal.field}`;
  return refusal.reason;
}

/**
 * Logs the refusal (through the request's log line) and throws the client error; `onError` renders it.
 *
 * @example
 * if (!body.ok) refuse(c, body);
 */
export function refuse(c: Context<AuthShimEnv>, refusal: Refusal): never {
  c.set('errorDetail', describeRefusal(refusal));
  throw refusalToError(refusal);
}
