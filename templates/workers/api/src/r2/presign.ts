import { AwsClient } from 'aws4fetch';

export interface PresignInput {
  accessKeyId: string;
  secretAccessKey: string;
  /** `https://<account>.r2.cloudflarestorage.com`, or an S3-compatible endpoint. */
  endpoint: string;
  bucket: string;
  /** The full object key, prefix included. */
  key: string;
  contentType?: string;
  expiresSeconds: number;
  /** For tests against published vectors. */
  datetime?: string;
}

/**
 * A presigned S3 `PUT` URL (SigV4 in the query, with aws4fetch). With a content type it is signed too, so the
 * upload must send the same `Content-Type`.
 *
 * @example
 * const url = await presignPut({ accessKeyId, secretAccessKey, endpoint, bucket: 'uploads', key: 'u1/a.png', contentType: 'image/png', expiresSeconds: 600 });
 */
export async function presignPut(input: PresignInput): Promise<{ url: string; headers: Record<string, string> }> {
  const client = new AwsClient({ accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey, service: 's3', region: 'auto' });
  const path = input.key.split('/').map(encodeURIComponent).join('/');
  const url = new URL(`${input.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(input.bucket)}/${path}`);
  url.searchParams.set('X-Amz-Expires', String(input.expiresSeconds));
  const headers: Record<string, string> = input.contentType ? { 'content-type': input.contentType } : {};
  const signed = await client.sign(url.toString(), {
    method: 'PUT',
    headers,
    aws: { signQuery: true, allHeaders: true, ...(input.datetime ? { datetime: input.datetime } : {}) },
  });
  return { url: signed.url, headers };
}
