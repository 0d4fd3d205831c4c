import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import app from '../src/index.js';
import type { Env } from '../src/env.js';
import { base, mintSession, newUserId } from './helpers.js';

// AI and media routes run against the Cloudflare API stand-in over HTTPS (AI_MODE=http), whatever features
// this project enabled at init: the tests turn them on through FEATURES.
const cloudflare = inject('cloudflare');
const enabled: Partial<Env> = { FEATURES: 'ai,images,stream', AI_MODE: 'http', CF_API_BASE: cloudflare.base, CF_ACCOUNT_ID: cloudflare.accountId, CF_API_TOKEN: cloudflare.token };

async function call(userId: string, path: string, init: RequestInit = {}, overrides: Partial<Env> = enabled): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${await mintSession({ sub: userId })}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(`${base}${path}`, { ...init, headers }), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}
const post = (userId: string, path: string, body: unknown, overrides?: Partial<Env>) => call(userId, path, { method: 'POST', body: JSON.stringify(body) }, overrides);
async function calls(): Promise<{ path: string; authorization?: string; contentType?: string; body: string }[]> {
  return (await fetch(`${cloudflare.base}/_calls`)).json();
}

describe('Workers AI routes', () => {
  it('generates text with the default model, over HTTPS with the API token', async () => {
    const response = await post(newUserId(), '/v1/ai/text-generate', { prompt: 'hello' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ text: 'echo: hello', model: '@cf/meta/llama-3.1-8b-instruct' });
    const last = (await calls()).at(-1)!;
    expect(last.path).toBe(`/accounts/${cloudflare.accountId}/ai/run/@cf/meta/llama-3.1-8b-instruct`);
    expect(last.authorization).toBe(`Bearer ${cloudflare.token}`);
    expect(JSON.parse(last.body)).toEqual({ prompt: 'hello' });
  });

  it('summarizes', async () => {
    const response = await post(newUserId(), '/v1/ai/summarize', { text: 'a'.repeat(100) });
    expect(await response.json()).toEqual({ summary: 'summary of 100 characters', model: '@cf/facebook/bart-large-cnn' });
  });

  it('stores a generated image in R2 under the caller prefix and returns its key', async () => {
    const userId = newUserId();
    const response = await post(userId, '/v1/ai/image-generate', { prompt: 'a lighthouse' });
    const { key } = (await response.json()) as { key: string };
    expect(key).toMatch(/\.png$/);
    const object = await env.R2.get(`${userId}/${key}`);
    expect(object?.httpMetadata?.contentType).toBe('image/png');
    expect(new Uint8Array(await object!.arrayBuffer()).slice(0, 4)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
  });

  it.each([
    ['a model outside the allow-list', '/v1/ai/text-generate', { prompt: 'x', model: '@cf/evil/model' }, 400],
    ['a missing prompt', '/v1/ai/text-generate', {}, 400],
    ['an oversized prompt', '/v1/ai/text-generate', { prompt: 'x'.repeat(4001) }, 413],
    ['an oversized text', '/v1/ai/summarize', { text: 'x'.repeat(20001) }, 413],
    ['an upstream failure', '/v1/ai/text-generate', { prompt: 'FAIL' }, 502],
  ])('refuses %s', async (_name, path, body, status) => {
    const response = await post(newUserId(), path, body);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code: expect.any(String) } });
  });

  it('answers 502 when the API refuses the token, and 404 when the feature is off', async () => {
    expect((await post(newUserId(), '/v1/ai/text-generate', { prompt: 'x' }, { ...enabled, CF_API_TOKEN: 'wrong' })).status).toBe(502);
    expect((await post(newUserId(), '/v1/ai/text-generate', { prompt: 'x' }, { ...enabled, FEATURES: '' })).status).toBe(404);
  });

  it('runs {"async": true} as a job its owner alone can poll', async () => {
    const owner = newUserId();
    const accepted = await post(owner, '/v1/ai/text-generate', { prompt: 'later', async: true });
    expect(accepted.status).toBe(202);
    const { job_id: id } = (await accepted.json()) as { job_id: string };
    const polled = await call(owner, `/v1/jobs/${id}`);
    expect(await polled.json()).toEqual({ status: 'done', result: { text: 'echo: later', model: '@cf/meta/llama-3.1-8b-instruct' } });
    expect((await call(newUserId(), `/v1/jobs/${id}`)).status).toBe(404);
    const failing = (await (await post(owner, '/v1/ai/text-generate', { prompt: 'FAIL', async: true })).json()) as { job_id: string };
    expect(await (await call(owner, `/v1/jobs/${failing.job_id}`)).json()).toEqual({ status: 'failed', error: 'upstream_failed' });
  });
});

describe('Images and Stream direct uploads', () => {
  it.each([
    ['images', '/v1/images/direct-upload', 'images/v2/direct_upload', 'multipart/form-data'],
    ['stream', '/v1/stream/direct-upload', 'stream/direct_upload', 'application/json'],
  ])('%s: returns {id, upload_url} and records the id against the caller', async (feature, path, apiPath, contentType) => {
    const userId = newUserId();
    const response = await call(userId, path, { method: 'POST' });
    expect(response.status).toBe(200);
    const { id, upload_url } = (await response.json()) as { id: string; upload_url: string };
    expect(upload_url).toMatch(/^https:\/\/upload\./);
    const last = (await calls()).at(-1)!;
    expect(last.path).toBe(`/accounts/${cloudflare.accountId}/${apiPath}`);
    expect(last.contentType).toContain(contentType);
    expect(last.body).toContain(userId);
    expect(JSON.parse((await env.JOBS.get(`media:${feature}:${id}`))!)).toMatchObject({ owner: userId });
    expect((await call(userId, path, { method: 'POST' }, { ...enabled, FEATURES: '' })).status).toBe(404);
  });
});
