import { AwsClient } from 'aws4fetch';

export interface PresignInput {
  accessKeyId: string;
  secretAccessKey: string;
  /** `https://<account>.r2.cloudflarestorage.com`, or an S3-compatible endpoint. */
  endpoint: string;
  bucket: string;
  /** The full object key, prefix included. */
  key: string;
  /** Signed when given: the upload must send exactly this `Content-Type`. */
  contentType?: string;
  /** Signed when given: the upload must be exactly this many bytes (a presigned PUT has no other size limit). */
  contentLength?: number;
  expiresSeconds: number;
  /** `YYYYMMDDTHHMMSSZ`; for tests against published vectors. */
  datetime?: string;
}

/**
 * A presigned S3 `PUT` URL (SigV4 in the query, with aws4fetch) and the headers the uploader must send with it.
 *
 * aws4fetch leaves `content-type` and `content-length` unsigned unless `allHeaders: true`; it is set here so that a
 * content type or a length, once given, is part of the signature; without them only `host` is signed.
 *
 * @example
 * const { url, headers } = await presignPut({ accessKeyId, secretAccessKey, endpoint, bucket: 'uploads', key: 'u1/a.png', contentType: 'image/png', expiresSeconds: 600 });
 * await fetch(url, { method: 'PUT', headers, body: file });
 */
export async function presignPut(input: PresignInput): Promise<{ url: string; headers: Record<string, string> }> {
  const client = new AwsClient({ accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey, service: 's3', region: 'auto' });
  const path = input.key.split('/').map(encodeURIComponent).join('/');
  const url = new URL(`${input.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(input.bucket)}/${path}`);
  url.searchParams.set('X-Amz-Expires', String(input.expiresSeconds));
  const headers: Record<string, string> = {};
  if (input.contentLength !== undefined) headers['content-length'] = String(input.contentLength);
  if (input.contentType) headers['content-type'] = input.contentType;
  const signed = await client.sign(url.toString(), {
    method: 'PUT',
    headers,
    aws: { signQuery: true, allHeaders: true, ...(input.datetime ? { datetime: input.datetime } : {}) },
  });
  return { url: signed.url, headers };
}
