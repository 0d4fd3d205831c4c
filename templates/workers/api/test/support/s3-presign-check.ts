/// <reference types="node" />
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface PresignCheckInput {
  method: string;
  url: URL;
  /** The request headers as received (lower-case names); `host` is the Host header. */
  headers: Record<string, string | string[] | undefined>;
  credentials: { accessKeyId: string; secretAccessKey: string };
  now: Date;
}

export type PresignCheck = { ok: true; key: string } | { ok: false; reason: string };

/** S3 refuses presigned URLs that live longer than a week, and requests signed too far in the future. */
const maxExpiresSeconds = 604_800;
const clockSkewMs = 15 * 60 * 1000;

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

/** S3's UriEncode: RFC 3986 unreserved characters stay, everything else is %XX (so `!'()*` are encoded too). */
function s3Encode(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Checks a presigned S3 request the way S3 does, with AWS's own signer (`@smithy/signature-v4`), independent of
 * aws4fetch, which made the URL: the object key is decoded from the path as S3 decodes it, the canonical path is
 * rebuilt from it with S3's encoding, the query signature is recomputed over the headers the URL says were signed
 * (taking their values from the request as it arrived) and compared; expired, future-dated or over-long URLs are
 * refused. On success it answers the decoded `bucket/key` path.
 */
export async function checkPresignedRequest(input: PresignCheckInput): Promise<PresignCheck> {
  const query = input.url.searchParams;
  const given = query.get('X-Amz-Signature');
  const credential = query.get('X-Amz-Credential');
  const signingDate = parseAmzDate(query.get('X-Amz-Date') ?? '');
  const expiresText = query.get('X-Amz-Expires') ?? '';
  const signedHeaders = (query.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);
  if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return { ok: false, reason: 'algorithm' };
  if (!given || !credential || !signingDate || !/^\d+$/.test(expiresText) || !signedHeaders.includes('host')) {
    return { ok: false, reason: 'missing presign parameters' };
  }
  const expires = Number(expiresText);
  if (expires < 1 || expires > maxExpiresSeconds) return { ok: false, reason: 'X-Amz-Expires out of range' };
  const [accessKeyId, scopeDate, region, service, terminator] = credential.split('/');
  if (accessKeyId !== input.credentials.accessKeyId) return { ok: false, reason: 'unknown access key' };
  if (terminator !== 'aws4_request' || scopeDate !== query.get('X-Amz-Date')!.slice(0, 8)) return { ok: false, reason: 'credential scope' };
  if (input.now.getTime() > signingDate.getTime() + expires * 1000) return { ok: false, reason: 'expired' };
  if (signingDate.getTime() > input.now.getTime() + clockSkewMs) return { ok: false, reason: 'signed in the future' };

  let segments: string[];
  try {
    segments = input.url.pathname
      .split('/')
      .slice(1)
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return { ok: false, reason: 'malformed path' };
  }
  const headers: Record<string, string> = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  for (const name of signedHeaders) {
    const value = input.headers[name];
    if (typeof value !== 'string') return { ok: false, reason: `signed header ${name} missing` };
    headers[name] = value;
  }
  const unsigned: Record<string, string> = {};
  for (const [name, value] of query) if (!name.startsWith('X-Amz-')) unsigned[name] = value;
  const signer = new SignatureV4({
    credentials: input.credentials,
    region: region!,
    service: service!,
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const presigned = await signer.presign(
    {
      method: input.method,
      protocol: input.url.protocol,
      hostname: input.url.hostname,
      path: `/${segments.map(s3Encode).join('/')}`,
      query: unsigned,
      headers,
    },
    {
      signingDate,
      expiresIn: expires,
      unhoistableHeaders: new Set(['x-amz-content-sha256']),
      unsignableHeaders: new Set(['x-amz-content-sha256']),
      signableHeaders: new Set(signedHeaders),
    },
  );
  if (presigned.query?.['X-Amz-Signature'] !== given) return { ok: false, reason: 'signature does not match' };
  return { ok: true, key: segments.join('/') };
}
