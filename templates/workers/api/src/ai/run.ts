import { callCloudflareApi, DetailedApiError, readApiResult } from '../cloudflare-api.js';
import type { Env } from '../env.js';

/** What a model answered: JSON for text models, bytes for image models. */
export type ModelOutput = { kind: 'json'; value: Record<string, unknown> } | { kind: 'bytes'; value: Uint8Array };

export type AiMode = 'binding' | 'http';

/**
 * `AI_MODE`: `binding` (the `AI` binding; deployed environments) or `http` (the REST API with CF_API_TOKEN; local
 * development and tests, since the binding only works against Cloudflare). Unset: the binding when there is one.
 */
export function aiMode(env: Env): AiMode {
  if (env.AI_MODE === 'binding' || env.AI_MODE === 'http') return env.AI_MODE;
  if (env.AI_MODE) throw new DetailedApiError(500, `AI_MODE must be binding or http, not ${env.AI_MODE}`);
  return env.AI ? 'binding' : 'http';
}

/**
 * Runs a Workers AI model through the binding or over HTTPS
 * (`{CF_API_BASE}/accounts/{CF_ACCOUNT_ID}/ai/run/{model}`). Any upstream failure is 502 `upstream_failed`.
 *
 * @example
 * const output = await runModel(env, '@cf/meta/llama-3.1-8b-instruct', { prompt: 'Hello' });
 */
export async function runModel(env: Env, model: string, input: Record<string, unknown>): Promise<ModelOutput> {
  if (aiMode(env) === 'binding') return runWithBinding(env, model, input);
  const path = `ai/run/${model}`;
  const response = await callCloudflareApi(env, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  // Text models answer the JSON envelope; image models answer the image bytes themselves.
  if (!(response.headers.get('content-type') ?? '').includes('application/json')) {
    return { kind: 'bytes', value: new Uint8Array(await response.arrayBuffer()) };
  }
  return { kind: 'json', value: await readApiResult<Record<string, unknown>>(response, path) };
}

async function runWithBinding(env: Env, model: string, input: Record<string, unknown>): Promise<ModelOutput> {
  if (!env.AI) throw new DetailedApiError(500, 'AI_MODE is binding but there is no AI binding');
  let result: unknown;
  try {
    // The model name is checked against the allow-list before it gets here; the binding's types list every model.
    result = await env.AI.run(model as Parameters<Ai['run']>[0], input as never);
    if (result instanceof ReadableStream) return { kind: 'bytes', value: new Uint8Array(await new Response(result).arrayBuffer()) };
  } catch (error) {
    throw new DetailedApiError(502, `AI binding ${model}: ${(error as Error).name}`);
  }
  if (result instanceof Uint8Array) return { kind: 'bytes', value: result };
  if (result instanceof ArrayBuffer) return { kind: 'bytes', value: new Uint8Array(result) };
  if (typeof result !== 'object' || result === null) throw new DetailedApiError(502, `AI binding ${model}: unexpected answer`);
  return { kind: 'json', value: result as Record<string, unknown> };
}
