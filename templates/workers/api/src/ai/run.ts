import type { Env } from '../env.js';
import { ApiError } from '../lib/errors.js';

/** What a model answered: JSON for text models, bytes for image models. */
export type ModelOutput = { kind: 'json'; value: Record<string, unknown> } | { kind: 'bytes'; value: Uint8Array };

/**
 * Runs a Workers AI model: through the `AI` binding when `AI_MODE` is `binding` (deployed environments), else over
 * HTTPS (`{CF_API_BASE}/accounts/{CF_ACCOUNT_ID}/ai/run/{model}` with `CF_API_TOKEN`) — the path local development
 * and tests take, since the binding only exists on Cloudflare. Any upstream failure is 502 `upstream_failed`.
 */
export async function runModel(env: Env, model: string, input: Record<string, unknown>): Promise<ModelOutput> {
  try {
    if (env.AI_MODE === 'binding') {
      if (!env.AI) throw new ApiError(500, 'misconfigured', 'Server misconfigured');
      const result = (await env.AI.run(model as never, input as never)) as unknown;
      if (result instanceof ReadableStream) return { kind: 'bytes', value: new Uint8Array(await new Response(result).arrayBuffer()) };
      if (result instanceof Uint8Array) return { kind: 'bytes', value: result };
      return { kind: 'json', value: result as Record<string, unknown> };
    }
    const base = (env.CF_API_BASE || 'https://api.cloudflare.com/client/v4').replace(/\/+$/, '');
    if (!env.CF_ACCOUNT_ID || !env.CF_API_TOKEN) throw new ApiError(500, 'misconfigured', 'Server misconfigured');
    const response = await fetch(`${base}/accounts/${env.CF_ACCOUNT_ID}/ai/run/${model}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.CF_API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    if (!response.ok) throw new ApiError(502, 'upstream_failed', 'The AI service failed');
    if (!(response.headers.get('content-type') ?? '').includes('application/json')) {
      return { kind: 'bytes', value: new Uint8Array(await response.arrayBuffer()) };
    }
    const body = (await response.json()) as { success?: boolean; result?: Record<string, unknown> };
    if (body.success === false || !body.result) throw new ApiError(502, 'upstream_failed', 'The AI service failed');
    return { kind: 'json', value: body.result };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(502, 'upstream_failed', 'The AI service failed');
  }
}
