import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { Env } from '../src/env.js';
import type { RecordedCall } from './support/cloudflare-api-stand-in.js';
import { base, mintSession, newUserId } from './helpers.js';
import { callWith, jobsNamespace } from './storage-helpers.js';

// Images and Stream direct creator uploads against the Cloudflare API stand-in, with the features turned on through
// FEATURES whatever this project chose at init.
const cloudflare = inject('cloudflare');
const enabled: Partial<Env> = {
  FEATURES: 'ai,images,stream',
  CF_API_BASE: cloudflare.base,
  CF_ACCOUNT_ID: cloudflare.accountId,
  CF_API_TOKEN: cloudflare.token,
  JOBS: jobsNamespace,
};
const callsContaining = async (text: string): Promise<RecordedCall[]> =>
  (await fetch(`${cloudflare.base}/_calls?contains=${encodeURIComponent(text)}`)).json();

async function directUpload(userId: string, path: string, overrides: Partial<Env> = enabled, body?: unknown): Promise<Response> {
  const headers = new Headers({ authorization: `Bearer ${await mintSession({ sub: userId })}` });
  if (body !== undefined) headers.set('content-type', 'application/json');
  return callWith(
    overrides,
    new Request(`${base}${path}`, { method: 'POST', headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }),
  );
}

describe('POST /v1/images/direct-upload', () => {
  it('asks Images v2 for a one-time URL (multipart form, metadata with the user) and records the id', async () => {
    const userId = newUserId();
    const response = await directUpload(userId, '/v1/images/direct-upload');
    expect(response.status).toBe(200);
    const { id, upload_url: uploadUrl } = (await response.json()) as { id: string; upload_url: string };
    expect(uploadUrl).toBe(`https://upload.imagedelivery.net/test-hash/${id}`);
    const [call] = await callsContaining(userId);
    expect(call).toMatchObject({
      method: 'POST',
      path: `/accounts/${cloudflare.accountId}/images/v2/direct_upload`,
      authorization: `Bearer ${cloudflare.token}`,
    });
    expect(call!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(call!.body).toContain('name="metadata"');
    expect(call!.body).toContain(JSON.stringify({ userId }));
    expect(JSON.parse((await jobsNamespace.get(`media:images:${id}`))!)).toMatchObject({ owner: `u/${userId}/` });
  });
});

describe('POST /v1/stream/direct-upload', () => {
  it('asks Stream for a one-time URL (JSON with maxDurationSeconds and the creator) and records the uid', async () => {
    const userId = newUserId();
    const response = await directUpload(userId, '/v1/stream/direct-upload');
    expect(response.status).toBe(200);
    const { id, upload_url: uploadUrl } = (await response.json()) as { id: string; upload_url: string };
    expect(uploadUrl).toBe(`https://upload.videodelivery.net/${id}`);
    const [call] = await callsContaining(userId);
    expect(call).toMatchObject({ path: `/accounts/${cloudflare.accountId}/stream/direct_upload`, contentType: 'application/json' });
    expect(JSON.parse(call!.body)).toEqual({ maxDurationSeconds: 3600, creator: userId, meta: { userId } });
    expect(JSON.parse((await jobsNamespace.get(`media:stream:${id}`))!)).toMatchObject({ owner: `u/${userId}/` });
  });

  it('takes a shorter maxDurationSeconds, and refuses one out of range before calling the API', async () => {
    const userId = newUserId();
    expect((await directUpload(userId, '/v1/stream/direct-upload', enabled, { maxDurationSeconds: 60 })).status).toBe(200);
    expect(JSON.parse((await callsContaining(userId))[0]!.body)).toMatchObject({ maxDurationSeconds: 60 });
    const other = newUserId();
    for (const value of [0, 21601, 1.5, '60']) {
      expect((await directUpload(other, '/v1/stream/direct-upload', enabled, { maxDurationSeconds: value })).status, String(value)).toBe(
        400,
      );
    }
    expect(await callsContaining(other)).toEqual([]);
  });
});

describe('both direct uploads', () => {
  it.each([
    ['/v1/images/direct-upload', 'images'],
    ['/v1/stream/direct-upload', 'stream'],
  ])('%s: 502 on upstream refusal, 404 when %s is off', async (path, feature) => {
    expect((await directUpload(newUserId(), path, { ...enabled, CF_API_TOKEN: 'wrong' })).status).toBe(502);
    expect((await directUpload(newUserId(), path, { ...enabled, CF_API_BASE: 'http://127.0.0.1:9' })).status).toBe(502);
    expect((await directUpload(newUserId(), path, { ...enabled, CF_API_TOKEN: '' })).status).toBe(500);
    const others = enabled
      .FEATURES!.split(',')
      .filter((name) => name !== feature)
      .join(',');
    expect((await directUpload(newUserId(), path, { ...enabled, FEATURES: others })).status).toBe(404);
  });
});

describe("this project's FEATURES var", () => {
  it('each feature route exists exactly when the project enabled the feature at init', async () => {
    const features = (env.FEATURES ?? '').split(',').filter(Boolean);
    const routes = [
      ['ai', '/v1/ai/text-generate'],
      ['images', '/v1/images/direct-upload'],
      ['stream', '/v1/stream/direct-upload'],
    ] as const;
    for (const [feature, path] of routes) {
      // Everything but FEATURES pointed at the stand-in, so an enabled route answers without reaching Cloudflare.
      const response = await callWith(
        { ...enabled, FEATURES: env.FEATURES, AI_MODE: 'http' },
        new Request(`${base}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${await mintSession({ sub: newUserId() })}`, 'content-type': 'application/json' },
          body: JSON.stringify({ prompt: 'x' }),
        }),
      );
      expect(response.status, `${feature}: ${features.join(',')}`).toBe(features.includes(feature) ? 200 : 404);
    }
  });
});
