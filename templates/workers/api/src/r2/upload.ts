/**
 * Streaming a request body into R2 under a byte cap, without holding the body in memory.
 *
 * `R2Bucket.put` takes a stream only when its length is known (a request body with `Content-Length`, or the
 * readable half of a `FixedLengthStream`); a stream of unknown length is refused with a TypeError. So:
 * - with a declared length, a body from the network (whose length the runtime knows) goes to one `put` as it is;
 *   a stream of unknown length (a Request built inside the isolate) is copied into a `FixedLengthStream` of exactly
 *   the declared length. Either way a body shorter or longer than declared fails, and nothing is stored;
 * - without one (chunked transfer), the body is cut into fixed-size parts of a multipart upload, so at most one
 *   part is in memory; once the byte count passes the cap, reading stops and the multipart upload is aborted, so
 *   nothing is stored. A body that fits in one part is stored with a single `put`.
 */

/** Part size for bodies of unknown length: R2 wants equal parts (except the last) of at least 5 MiB. */
export const multipartPartBytes = 8 * 1024 * 1024;

export interface UploadTarget {
  bucket: R2Bucket;
  /** The full object key, prefix included. */
  key: string;
  /** Content type and custom metadata, the same for a single put and a multipart upload. */
  options: R2MultipartOptions;
  maxBytes: number;
}

export type UploadResult = { ok: true; object: R2Object } | { ok: false; reason: 'too_large' | 'incomplete_body' };

/**
 * Stores `body` at `target.key`; refuses (and stores nothing) if it carries more than `target.maxBytes`.
 *
 * @example
 * const result = await storeUpload(request.body, Number(request.headers.get('content-length')), { bucket: env.R2, key, options: {}, maxBytes });
 */
export async function storeUpload(
  body: ReadableStream<Uint8Array> | null,
  declaredLength: number | undefined,
  target: UploadTarget,
): Promise<UploadResult> {
  if (declaredLength !== undefined) {
    if (declaredLength > target.maxBytes) return { ok: false, reason: 'too_large' };
    return storeDeclared(body, declaredLength, target);
  }
  if (body === null) return { ok: true, object: (await target.bucket.put(target.key, new Uint8Array(), target.options)) as R2Object };
  return storeChunked(body, target);
}

async function storeDeclared(body: ReadableStream<Uint8Array> | null, length: number, target: UploadTarget): Promise<UploadResult> {
  if (body === null || length === 0) {
    if (body === null ? length !== 0 : !(await isEmpty(body))) return { ok: false, reason: 'incomplete_body' };
    return { ok: true, object: (await target.bucket.put(target.key, new Uint8Array(), target.options)) as R2Object };
  }
  let object: R2Object | null;
  try {
    // A body that came over the network has a length the runtime knows (its Content-Length, which frames it), so
    // it goes to R2 as it is: no copy through JavaScript, and R2 fails the put if the client stops short.
    object = await target.bucket.put(target.key, body, target.options);
  } catch (error) {
    // R2 refuses a stream of unknown length without reading it: a Request built inside the isolate.
    if (body.locked) throw error;
    return storeExactly(body, length, target);
  }
  if (object === null || object.size !== length) {
    // Only a Request built inside the isolate can carry a Content-Length that is not its body's length.
    if (object !== null) await target.bucket.delete(target.key);
    return { ok: false, reason: 'incomplete_body' };
  }
  return { ok: true, object };
}

/** The declared-length path for a stream whose length the runtime does not know: exactly `length` bytes, or nothing. */
async function storeExactly(body: ReadableStream<Uint8Array>, length: number, target: UploadTarget): Promise<UploadResult> {
  const fixed = new FixedLengthStream(length);
  const put = target.bucket.put(target.key, fixed.readable, target.options).then(
    (object) => ({ ok: true, object: object as R2Object }) as const,
    () => undefined,
  );
  const pumped = await pumpExactly(body, fixed.writable.getWriter(), length);
  const stored = await put;
  if (!pumped) return { ok: false, reason: 'incomplete_body' };
  if (!stored) throw new Error('R2 put failed');
  return stored;
}

async function isEmpty(body: ReadableStream<Uint8Array>): Promise<boolean> {
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return true;
    if (value.byteLength > 0) {
      await reader.cancel();
      return false;
    }
  }
}

/**
 * Copies exactly `length` bytes into `writer` (a FixedLengthStream, whose reader is the R2 put). The chunk that
 * completes the length is held back until the source says it has ended: written at once, the put could finish on
 * it and a longer body would be stored cut short. Shorter or longer than `length`: the writer is aborted, so the put
 * fails and nothing is stored.
 */
async function pumpExactly(
  body: ReadableStream<Uint8Array>,
  writer: WritableStreamDefaultWriter<Uint8Array>,
  length: number,
): Promise<boolean> {
  const reader = body.getReader();
  let written = 0;
  let held: Uint8Array | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.byteLength === 0) continue;
      if (written + value.byteLength > length) {
        await reader.cancel();
        throw new Error('body longer than Content-Length');
      }
      written += value.byteLength;
      if (written === length) held = value;
      else await writer.write(value);
    }
    if (!held) throw new Error('body shorter than Content-Length');
    await writer.write(held);
    await writer.close();
    return true;
  } catch (error) {
    await writer.abort(error).catch(() => undefined);
    // A client that went away mid-body is the same refusal: nothing was stored.
    return false;
  }
}

async function storeChunked(body: ReadableStream<Uint8Array>, target: UploadTarget): Promise<UploadResult> {
  const reader = body.getReader();
  const part = new Uint8Array(multipartPartBytes);
  let filled = 0;
  let total = 0;
  let upload: R2MultipartUpload | undefined;
  const parts: R2UploadedPart[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > target.maxBytes) {
        await reader.cancel();
        await upload?.abort();
        return { ok: false, reason: 'too_large' };
      }
      for (let offset = 0; offset < value.byteLength; ) {
        const count = Math.min(multipartPartBytes - filled, value.byteLength - offset);
        part.set(value.subarray(offset, offset + count), filled);
        filled += count;
        offset += count;
        if (filled === multipartPartBytes) {
          upload ??= await target.bucket.createMultipartUpload(target.key, target.options);
          // Awaited before the buffer is refilled: the part has been sent once this resolves.
          parts.push(await upload.uploadPart(parts.length + 1, part));
          filled = 0;
        }
      }
    }
    if (!upload) return { ok: true, object: (await target.bucket.put(target.key, part.subarray(0, filled), target.options)) as R2Object };
    if (filled > 0) parts.push(await upload.uploadPart(parts.length + 1, part.subarray(0, filled)));
    return { ok: true, object: await upload.complete(parts) };
  } catch (error) {
    // A client that disconnects mid-body, or a failing part: leave no half-made object behind.
    await upload?.abort().catch(() => undefined);
    throw error;
  }
}
