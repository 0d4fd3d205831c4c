/// <reference types="node" />
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface PresignCheckInput {
  method: string;
  url: URL;
  headers: Record<string, string | undefined>;
  credentials: { accessKeyId: string; secretAccessKey: string };
  now: Date;
}

export type PresignCheck = { ok: true } | { ok: false; reason: string };

function parseAmzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new Error('bad X-Amz-Date');
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/**
 * Checks a presigned S3 request the way S3 does, with AWS's own signer (`@smithy/signature-v4`) — independent of
 * aws4fetch, which made the URL: recompute the query signature from the request as it arrived and compare; refuse
 * an expired URL.
 */
export async function checkPresignedRequest(input: PresignCheckInput): Promise<PresignCheck> {
  const query = input.url.searchParams;
  const given = query.get('X-Amz-Signature');
  const credential = query.get('X-Amz-Credential');
  const date = query.get('X-Amz-Date');
  const expires = Number(query.get('X-Amz-Expires'));
  const signedHeaders = (query.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);
  if (!given || !credential || !date || !Number.isInteger(expires) || signedHeaders.length === 0) return { ok: false, reason: 'missing presign parameters' };
  const [accessKeyId, , region, service] = credential.split('/');
  if (accessKeyId !== input.credentials.accessKeyId) return { ok: false, reason: 'unknown access key' };
  const signingDate = parseAmzDate(date);
  if (input.now.getTime() > signingDate.getTime() + expires * 1000) return { ok: false, reason: 'expired' };

  const headers: Record<string, string> = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  for (const name of signedHeaders) {
    const value = name === 'host' ? input.url.host : input.headers[name];
    if (value === undefined) return { ok: false, reason: `signed header ${name} missing` };
    headers[name] = value;
  }
  const unsigned = Object.fromEntries([...query].filter(([name]) => !name.startsWith('X-Amz-') || name === 'X-Amz-Expires').filter(([name]) => name !== 'X-Amz-Expires'));
  const signer = new SignatureV4({ credentials: input.credentials, region: region!, service: service!, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const presigned = await signer.presign(
    { method: input.method, protocol: input.url.protocol, hostname: input.url.hostname, port: input.url.port ? Number(input.url.port) : undefined, path: input.url.pathname, query: unsigned, headers },
    { signingDate, expiresIn: expires, unhoistableHeaders: new Set(['x-amz-content-sha256']), unsignableHeaders: new Set(['x-amz-content-sha256']), signableHeaders: new Set(signedHeaders) },
  );
  const expected = presigned.query?.['X-Amz-Signature'];
  return expected === given ? { ok: true } : { ok: false, reason: 'signature does not match' };
}
