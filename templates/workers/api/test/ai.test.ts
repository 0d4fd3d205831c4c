import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import app from '../src/index.js';
import type { Env } from '../src/env.js';
import type { RecordedCall } from './support/cloudflare-api-stand-in.js';
import { base, errorCode, mintSession, newUserId } from './helpers.js';
import { callWith, jobsNamespace } from './storage-helpers.js';

// The AI routes run against the Cloudflare API stand-in over HTTPS (AI_MODE=http), whatever features this project
// enabled at init: the tests turn the feature on through FEATURES.
const cloudflare = inject('cloudflare');
const enabled: Partial<Env> = {
  FEATURES: 'ai',
  AI_MODE: 'http',
  CF_API_BASE: cloudflare.base,
  CF_ACCOUNT_ID: cloudflare.accountId,
  CF_API_TOKEN: cloudflare.token,
  JOBS: jobsNamespace,
};
const defaultTextModel = '@cf/meta/llama-3.1-8b-instruct';

async function request(userId: string, path: string, body?: unknown, tenant?: string): Promise<Request> {
  const headers = new Headers({ authorization: `Bearer ${await mintSession({ sub: userId, ...(tenant ? { tenant } : {}) })}` });
  if (body === undefined) return new Request(`${base}${path}`, { headers });
  headers.set('content-type', 'application/json');
  return new Request(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
}
const post = async (userId: string, path: string, body: unknown, overrides: Partial<Env> = enabled) =>
  callWith(overrides, await request(userId, path, body));
const poll = async (userId: string, id: string, tenant?: string) =>
  callWith(enabled, await request(userId, `/v1/jobs/${id}`, undefined, tenant));
const callsContaining = async (text: string): Promise<RecordedCall[]> =>
  (await fetch(`${cloudflare.base}/_calls?contains=${encodeURIComponent(text)}`)).json();

describe('Workers AI over HTTPS (AI_MODE=http)', () => {
  it('text-generate: the default model, POST {prompt} to /accounts/<id>/ai/run/<model> with the API token', async () => {
    const prompt = `hello ${crypto.randomUUID()}`;
    const response = await post(newUserId(), '/v1/ai/text-generate', { prompt });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ text: `echo: ${prompt}`, model: defaultTextModel });
    const [call] = await callsContaining(prompt);
    expect(call).toMatchObject({
      method: 'POST',
      path: `/accounts/${cloudflare.accountId}/ai/run/${defaultTextModel}`,
      authorization: `Bearer ${cloudflare.token}`,
    });
    expect(call!.contentType).toContain('application/json');
    expect(JSON.parse(call!.body)).toEqual({ prompt });
  });

  it('text-generate: another allowed model', async () => {
    const response = await post(newUserId(), '/v1/ai/text-generate', { prompt: 'x', model: '@cf/meta/llama-3.2-3b-instruct' });
    expect(await response.json()).toMatchObject({ model: '@cf/meta/llama-3.2-3b-instruct' });
  });

  it('summarize: {input_text} to the summarization model', async () => {
    const text = `${crypto.randomUUID()} ${'a'.repeat(100)}`;
    const response = await post(newUserId(), '/v1/ai/summarize', { text });
    expect(await response.json()).toEqual({ summary: `summary of ${text.length} characters`, model: '@cf/facebook/bart-large-cnn' });
    expect(JSON.parse((await callsContaining(text))[0]!.body)).toEqual({ input_text: text });
  });

  it('image-generate: stores the image in R2 under the caller prefix and answers its key, not the bytes', async () => {
    const userId = newUserId();
    const response = await post(userId, '/v1/ai/image-generate', { prompt: 'a lighthouse' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { key: string; model: string; contentType: string };
    expect(body).toMatchObject({ model: '@cf/stabilityai/stable-diffusion-xl-base-1.0', contentType: 'image/png' });
    expect(body.key).toMatch(/^\d{4}\/\d{2}\/\d+-[0-9a-f]{12}\.png$/);
    expect(JSON.stringify(body)).not.toContain('iVBOR');
    const object = await env.R2.get(`u/${userId}/${body.key}`);
    expect(object?.httpMetadata?.contentType).toBe('image/png');
    expect(object?.customMetadata).toMatchObject({ userId });
    expect(new Uint8Array(await object!.arrayBuffer()).slice(0, 4)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    // The key works on the R2 routes as it is.
    const download = await SELF.fetch(`${base}/v1/r2/object?key=${encodeURIComponent(body.key)}`, {
      headers: { authorization: `Bearer ${await mintSession({ sub: userId })}` },
    });
    expect(download.status).toBe(200);
  });

  it.each([
    ['a model outside the allow-list', '/v1/ai/text-generate', { prompt: 'x', model: '@cf/evil/model' }, 400],
    [
      'an image model on the text route',
      '/v1/ai/text-generate',
      { prompt: 'x', model: '@cf/stabilityai/stable-diffusion-xl-base-1.0' },
      400,
    ],
    ['a non-string model', '/v1/ai/text-generate', { prompt: 'x', model: ['@cf/meta/llama-3.1-8b-instruct'] }, 400],
    ['a missing prompt', '/v1/ai/text-generate', {}, 400],
    ['a blank prompt', '/v1/ai/text-generate', { prompt: '   ' }, 400],
    ['a non-boolean async', '/v1/ai/text-generate', { prompt: 'x', async: 'yes' }, 400],
    ['a prompt over 4000 characters', '/v1/ai/text-generate', { prompt: 'x'.repeat(4001) }, 413],
    ['a text over 20000 characters', '/v1/ai/summarize', { text: 'x'.repeat(20001) }, 413],
    ['an image prompt over 1000 characters', '/v1/ai/image-generate', { prompt: 'x'.repeat(1001) }, 413],
  ])('refuses %s before calling the API', async (_name, path, body, status) => {
    const marker = crypto.randomUUID();
    const response = await post(newUserId(), path, { ...body, marker });
    expect(response.status).toBe(status);
    expect(await callsContaining(marker)).toEqual([]);
  });

  it.each([
    ['the API failing (500)', { prompt: 'FAIL' }, enabled],
    ['an answer of the wrong shape', { prompt: 'MALFORMED' }, enabled],
    ['a refused token (401)', { prompt: 'x' }, { ...enabled, CF_API_TOKEN: 'wrong' }],
    ['another account (403)', { prompt: 'x' }, { ...enabled, CF_ACCOUNT_ID: 'someone-else' }],
    ['an unreachable API', { prompt: 'x' }, { ...enabled, CF_API_BASE: 'http://127.0.0.1:9' }],
  ])('answers 502 upstream_failed for %s, with no upstream detail', async (_name, body, overrides) => {
    const response = await post(newUserId(), '/v1/ai/text-generate', body, overrides);
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'upstream_failed' } });
    expect(text).not.toMatch(/Authentication|internal server error|127\.0\.0\.1/);
  });

  it('answers 500 misconfigured without CF_API_TOKEN or with an unknown AI_MODE', async () => {
    expect((await post(newUserId(), '/v1/ai/text-generate', { prompt: 'x' }, { ...enabled, CF_API_TOKEN: '' })).status).toBe(500);
    expect((await post(newUserId(), '/v1/ai/text-generate', { prompt: 'x' }, { ...enabled, AI_MODE: 'magic' })).status).toBe(500);
  });

  it('answers 404 on every AI and jobs route when the feature is off', async () => {
    for (const path of ['/v1/ai/text-generate', '/v1/ai/summarize', '/v1/ai/image-generate']) {
      const response = await post(newUserId(), path, { prompt: 'x', text: 'x' }, { ...enabled, FEATURES: 'images,stream' });
      expect(response.status, path).toBe(404);
    }
    expect((await callWith({ ...enabled, FEATURES: '' }, await request(newUserId(), `/v1/jobs/${crypto.randomUUID()}`))).status).toBe(404);
  });
});

describe('Workers AI through the binding (AI_MODE=binding, or unset with an AI binding)', () => {
  function fakeAi(answer: (model: string, input: Record<string, unknown>) => unknown): { ai: Ai; calls: [string, unknown][] } {
    const calls: [string, unknown][] = [];
    const ai = {
      run: async (model: string, input: Record<string, unknown>) => {
        calls.push([model, input]);
        return answer(model, input);
      },
    };
    return { ai: ai as unknown as Ai, calls };
  }

  it('runs the model on the binding, not over HTTPS', async () => {
    const { ai, calls } = fakeAi((_model, input) => ({ response: `bound: ${String(input.prompt)}` }));
    for (const mode of ['binding', undefined]) {
      const response = await post(
        newUserId(),
        '/v1/ai/text-generate',
        { prompt: 'hi' },
        { ...enabled, AI_MODE: mode, AI: ai, CF_API_TOKEN: '' },
      );
      expect(await response.json()).toEqual({ text: 'bound: hi', model: defaultTextModel });
    }
    expect(calls).toEqual([
      [defaultTextModel, { prompt: 'hi' }],
      [defaultTextModel, { prompt: 'hi' }],
    ]);
  });

  it('stores an image the binding streams back, and answers 502 when the binding throws', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 9, 9]);
    const { ai } = fakeAi(() => new Response(png).body);
    const userId = newUserId();
    const { key } = (await (
      await post(userId, '/v1/ai/image-generate', { prompt: 'p' }, { ...enabled, AI_MODE: 'binding', AI: ai })
    ).json()) as { key: string };
    expect(new Uint8Array(await (await env.R2.get(`u/${userId}/${key}`))!.arrayBuffer())).toEqual(png);
    const failing = fakeAi(() => {
      throw new Error('3040: capacity');
    });
    const response = await post(newUserId(), '/v1/ai/text-generate', { prompt: 'p' }, { ...enabled, AI_MODE: 'binding', AI: failing.ai });
    expect(response.status).toBe(502);
  });
});

describe('{"async": true} jobs', () => {
  it('answers 202 {job_id}; the owner polls queued/running, then done with the result', async () => {
    const owner = newUserId();
    const ctx = createExecutionContext();
    const accepted = await app.fetch(
      await request(owner, '/v1/ai/text-generate', { prompt: 'SLOW', async: true }),
      { ...env, ...enabled } as Env,
      ctx,
    );
    expect(accepted.status).toBe(202);
    const { job_id: id } = (await accepted.json()) as { job_id: string };
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // The model call takes 400 ms in the stand-in: the job is not finished yet.
    const early = (await (await poll(owner, id)).json()) as { status: string };
    expect(['queued', 'running']).toContain(early.status);
    await waitOnExecutionContext(ctx);
    expect(await (await poll(owner, id)).json()).toEqual({ status: 'done', result: { text: 'echo: SLOW', model: defaultTextModel } });
  });

  it('is 404 to anyone but its owner: another user, the same user id in a tenant, an unknown or malformed id', async () => {
    const owner = newUserId();
    const { job_id: id } = (await (await post(owner, '/v1/ai/summarize', { text: 'long text', async: true })).json()) as { job_id: string };
    expect((await poll(owner, id)).status).toBe(200);
    for (const response of [
      await poll(newUserId(), id),
      await poll(owner, id, 'acme'),
      await poll(owner, crypto.randomUUID()),
      await poll(owner, 'job:../x'),
    ]) {
      expect(response.status).toBe(404);
      expect(await errorCode(response)).toBe('not_found');
    }
  });

  it('records a failure as a public code only', async () => {
    const owner = newUserId();
    const { job_id: id } = (await (await post(owner, '/v1/ai/text-generate', { prompt: 'FAIL', async: true })).json()) as {
      job_id: string;
    };
    expect(await (await poll(owner, id)).json()).toEqual({ status: 'failed', error: 'upstream_failed' });
    const stored = await jobsNamespace.get(`job:${id}`);
    expect(stored).not.toMatch(/HTTP 500|errors 3001/);
  });

  it('an async image job stores the image under the owner prefix and returns its key', async () => {
    const owner = newUserId();
    const { job_id: id } = (await (await post(owner, '/v1/ai/image-generate', { prompt: 'async art', async: true })).json()) as {
      job_id: string;
    };
    const job = (await (await poll(owner, id)).json()) as { status: string; result: { key: string } };
    expect(job.status).toBe('done');
    expect(await env.R2.head(`u/${owner}/${job.result.key}`)).not.toBeNull();
  });
});
