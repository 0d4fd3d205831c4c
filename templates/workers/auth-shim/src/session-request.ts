import { readBoundedBody } from './lib/json-body.js';
import { maxBodyBytes, type Checked } from './refusals.js';

/** Longest identity token accepted; anything longer is refused before it reaches the provider. */
const maxTokenLength = 4096;
/** Printable ASCII without spaces: what JWTs, UUIDs and opaque provider tokens are made of. A token that goes
 * into an `Authorization` header must never carry a line break. */
const tokenPattern = /^[\x21-\x7e]+$/;

/**
 * Reads the provider token from a `POST /auth/session` body: `application/json`, at most 8 KB (counted while
 * reading, so a body without `Content-Length` cannot grow past it), a JSON object with `field` a string.
 *
 * @example
 * const body = await readTokenFromBody(c.req.raw, 'refresh_token');
 * if (!body.ok) refuse(c, body);
 * body.token; // the provider token, never logged
 */
export async function readTokenFromBody(request: Request, field: string): Promise<Checked<{ token: string }>> {
  if (!isJsonContentType(request.headers.get('content-type'))) return { ok: false, reason: 'unsupported_content_type' };
  const declaredLength = Number(request.headers.get('content-length') ?? '0');
  if (declaredLength > maxBodyBytes) return { ok: false, reason: 'body_too_large' };
  const bytes = await readBoundedBody(request.body, maxBodyBytes);
  if (bytes === null) return { ok: false, reason: 'body_too_large' };

  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    // Empty bodies, invalid UTF-8 and invalid JSON all land here.
    return { ok: false, reason: 'malformed_json' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'body_not_object' };
  const token: unknown = (body as Record<string, unknown>)[field];
  if (token === undefined || token === null || token === '') return { ok: false, reason: 'token_missing', field };
  if (typeof token !== 'string') return { ok: false, reason: 'token_not_string', field };
  if (token.length > maxTokenLength) return { ok: false, reason: 'token_malformed', detail: 'longer than 4096 characters' };
  if (!tokenPattern.test(token)) return { ok: false, reason: 'token_malformed', detail: 'characters outside printable ASCII' };
  return { ok: true, token };
}

/** `application/json`, with or without parameters such as `charset=utf-8`. */
function isJsonContentType(header: string | null): boolean {
  return header?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}
