import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * The error codes a client can see. Internal reasons (why a token was refused, which upstream failed)
 * go to the log; the wire carries only one of these and a generic message.
 */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'unsupported_media_type'
  | 'unauthorized'
  | 'invalid_token'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'replay'
  | 'conflict'
  | 'too_large'
  | 'rate_limited'
  | 'misconfigured'
  | 'upstream_failed'
  | 'internal'
  | (string & {});

/** The one error envelope every Worker answers with: `{"error": {"code", "message", "request_id"?}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id?: string };
}

/**
 * Throw this from a handler or middleware; `renderError` turns it into the JSON envelope.
 *
 * @example
 * throw new ApiError(404, 'not_found', 'No such project');
 */
export class ApiError extends HTTPException {
  readonly code: ErrorCode;
  readonly headers: Record<string, string>;

  constructor(status: ContentfulStatusCode, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(status, { message });
    this.code = code;
    this.headers = headers;
  }
}

const codeForStatus: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  502: 'upstream_failed',
};

/** Builds an error response with the envelope; used by `renderError` and by code that answers directly. */
export function errorResponse(
  status: number,
  code: ErrorCode,
  message: string,
  requestId?: string,
  headers: Record<string, string> = {},
): Response {
  const body: ErrorBody = { error: { code, message, ...(requestId ? { request_id: requestId } : {}) } };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/**
 * The app's `onError`: known errors keep their status and code; anything else is a 500 `internal` whose
 * details stay in the log. No stack trace ever reaches a client.
 */
export function renderError(err: Error, c: Context): Response {
  const requestId = c.get('requestId') as string | undefined;
  if (err instanceof ApiError) {
    return errorResponse(err.status, err.code, err.message, requestId, err.headers);
  }
  if (err instanceof HTTPException) {
    // Raised by Hono's own middleware (body limit, malformed JSON in the validator, ...).
    const code = codeForStatus[err.status] ?? 'internal';
    const message = err.status >= 500 ? 'Internal error' : err.message || code.replace(/_/g, ' ');
    return errorResponse(err.status, code, message, requestId);
  }
  c.set('errorDetail', `${err.name}: ${err.message}`);
  return errorResponse(500, 'internal', 'Internal error', requestId);
}
