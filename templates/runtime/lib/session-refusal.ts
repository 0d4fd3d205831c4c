import { ApiError } from './errors.js';
import { sessionFailureStatus, type SessionTokenFailure } from './session-token.js';

/**
 * The generic 401 for a session token that was not accepted: the caller learns nothing about why (the reason goes
 * to the log line). `headers` carry the challenge a Worker answers with, such as the API's `WWW-Authenticate`.
 */
export function invalidTokenError(headers?: Record<string, string>): ApiError {
  return new ApiError(401, 'invalid_token', 'Invalid or expired token', headers);
}

/**
 * The one mapping from a refused session token to what the client sees: every token problem is the generic 401
 * (`invalidTokenError`), unreachable signing keys 502, the Worker's own configuration 500.
 *
 * @example
 * if (!verified.ok) throw sessionTokenRefusal(verified.reason); // 401 invalid_token for an expired token
 */
export function sessionTokenRefusal(reason: SessionTokenFailure, unauthorizedHeaders?: Record<string, string>): ApiError {
  const { status, code } = sessionFailureStatus(reason);
  if (status === 401) return invalidTokenError(unauthorizedHeaders);
  return new ApiError(status, code, status === 502 ? 'Could not verify credentials' : 'Server misconfigured');
}
