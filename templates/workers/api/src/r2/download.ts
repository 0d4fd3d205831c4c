import { ApiError } from '../lib/errors.js';

/** One byte range of an object, resolved against its size. */
export interface ByteRange {
  offset: number;
  length: number;
}

export type RangeRequest = { kind: 'none' } | { kind: 'range'; range: ByteRange } | { kind: 'unsatisfiable' };

/**
 * Reads a `Range` header (RFC 9110 §14) for an object of `size` bytes. One range is served (`bytes=a-b`, `bytes=a-`,
 * `bytes=-n`); several ranges or a malformed header are ignored, so the whole object is served (which the RFC
 * allows); a range starting past the end is unsatisfiable (416).
 *
 * @example
 * parseRange('bytes=2-5', 10); // { kind: 'range', range: { offset: 2, length: 4 } }
 */
export function parseRange(header: string | null, size: number): RangeRequest {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'none' };
  if (match[1] === '') {
    const suffix = Math.min(Number(match[2]), size);
    return suffix === 0 ? { kind: 'unsatisfiable' } : { kind: 'range', range: { offset: size - suffix, length: suffix } };
  }
  const start = Number(match[1]);
  if (match[2] !== '' && Number(match[2]) < start) return { kind: 'none' };
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  return { kind: 'range', range: { offset: start, length: end - start + 1 } };
}

/** `If-None-Match` (weak comparison, lists, `*`), else `If-Modified-Since`: whether the client's copy is current. */
export function isNotModified(headers: Headers, object: R2Object): boolean {
  const noneMatch = headers.get('if-none-match');
  if (noneMatch !== null) {
    if (noneMatch.trim() === '*') return true;
    return noneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === object.httpEtag);
  }
  const since = Date.parse(headers.get('if-modified-since') ?? '');
  return !Number.isNaN(since) && Math.floor(object.uploaded.getTime() / 1000) * 1000 <= since;
}

/** What every answer about an object carries. Objects are private to their owner: no shared caching, no sniffing. */
function objectHeaders(object: R2Object, withContent: boolean): Headers {
  const headers = new Headers({
    etag: object.httpEtag,
    'last-modified': object.uploaded.toUTCString(),
    'cache-control': 'private, no-cache',
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
  });
  if (withContent) {
    object.writeHttpMetadata(headers);
    headers.set('cache-control', 'private, no-cache');
  }
  return headers;
}

function notModified(object: R2Object): Response {
  return new Response(null, { status: 304, headers: objectHeaders(object, false) });
}

/**
 * Answers `GET` or `HEAD` for one object: 200 with its bytes and content type, 206 for a `Range`, 304 when the
 * client's copy is current, 416 for a range past the end, 404 when there is no such object.
 *
 * @example
 * return readObject(env.R2, `${prefix}${key}`, c.req.raw);
 */
export async function readObject(bucket: R2Bucket, fullKey: string, request: Request): Promise<Response> {
  const rangeHeader = request.headers.get('range');
  if (request.method === 'HEAD' || rangeHeader !== null) {
    // Metadata first: HEAD needs nothing else, and a range is resolved against the size before any byte is read.
    const meta = await bucket.head(fullKey);
    if (meta === null) throw new ApiError(404, 'not_found', 'No such object');
    if (isNotModified(request.headers, meta)) return notModified(meta);
    const headers = objectHeaders(meta, true);
    if (request.method === 'HEAD') {
      headers.set('content-length', String(meta.size));
      return new Response(null, { status: 200, headers });
    }
    const range = parseRange(rangeHeader, meta.size);
    if (range.kind === 'unsatisfiable') {
      throw new ApiError(416, 'range_not_satisfiable', 'Range not satisfiable', { 'Content-Range': `bytes */${meta.size}` });
    }
    if (range.kind === 'range') {
      // `etagMatches` pins the version that was measured: a concurrent overwrite cannot mix sizes and bytes.
      const part = await bucket.get(fullKey, { range: range.range, onlyIf: { etagMatches: meta.etag } });
      if (part === null) throw new ApiError(404, 'not_found', 'No such object');
      if (!('body' in part)) throw new ApiError(409, 'conflict', 'The object changed while it was read; retry');
      const { offset, length } = range.range;
      headers.set('content-range', `bytes ${offset}-${offset + length - 1}/${meta.size}`);
      headers.set('content-length', String(length));
      return new Response(part.body, { status: 206, headers });
    }
  }
  // Conditions are judged here (`isNotModified`), never handed to R2 as the client sent them: R2 throws on a
  // malformed one (`If-None-Match: W/abc`), and a client's bad header must not become a 500. RFC 9110 lets a server
  // ignore a condition it cannot parse, which `isNotModified` does.
  if (request.headers.has('if-none-match') || request.headers.has('if-modified-since')) {
    const meta = await bucket.head(fullKey);
    if (meta === null) throw new ApiError(404, 'not_found', 'No such object');
    if (isNotModified(request.headers, meta)) return notModified(meta);
  }
  const object = await bucket.get(fullKey);
  if (object === null) throw new ApiError(404, 'not_found', 'No such object');
  const headers = objectHeaders(object, true);
  headers.set('content-length', String(object.size));
  return new Response(object.body, { status: 200, headers });
}
