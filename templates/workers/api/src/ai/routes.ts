import type { Context, Hono } from 'hono';
import type { ApiEnv, Env } from '../env.js';
import { route } from '../lib/app.js';
import { ApiError } from '../lib/errors.js';
import { readJsonObject } from '../lib/json-body.js';
import type { AuthContext } from '../lib/session-token.js';
import { callerPrefix, generateKey } from '../r2/keys.js';
import { createJob, runJob } from '../jobs.js';
import { inputLimits, pickModel, type AiTask } from './models.js';
import { runModel } from './run.js';

/** Whether a feature chosen at init (`FEATURES` var) is on; a disabled feature's routes answer 404. */
export function featureEnabled(env: Env, feature: string): boolean {
  return (env.FEATURES ?? '').split(',').map((name) => name.trim()).includes(feature);
}

type Work = (env: Env, auth: AuthContext) => Promise<Record<string, unknown>>;

function textField(body: Record<string, unknown>, name: string, max: number): string {
  const value = body[name];
  if (typeof value !== 'string' || value.trim().length === 0) throw new ApiError(400, 'bad_request', `${name} must be a non-empty string`);
  if (value.length > max) throw new ApiError(413, 'too_large', `${name} over ${max} characters`);
  return value;
}

function model(task: AiTask, body: Record<string, unknown>): string {
  const chosen = pickModel(task, body.model);
  if (!chosen) throw new ApiError(400, 'bad_request', 'model is not allowed');
  return chosen;
}

/** Validates the request, then runs the work now (200) or as a job (`{"async": true}` -> 202 `{job_id}`). */
function aiRoute(prepare: (body: Record<string, unknown>) => Work) {
  return async function aiHandler(c: Context<ApiEnv>): Promise<Response> {
    if (!featureEnabled(c.env, 'ai')) throw new ApiError(404, 'not_found', 'No such route');
    const body = await readJsonObject(c, 64 * 1024);
    const work = prepare(body);
    const auth = c.get('auth');
    if (body.async === true) {
      const id = await createJob(c.env, auth.userId);
      c.executionCtx.waitUntil(runJob(c.env, id, () => work(c.env, auth)));
      return c.json({ job_id: id }, 202);
    }
    return c.json(await work(c.env, auth));
  };
}

const textGenerate = aiRoute((body) => {
  const prompt = textField(body, 'prompt', inputLimits.prompt);
  const chosen = model('text', body);
  return async (env) => {
    const output = await runModel(env, chosen, { prompt });
    if (output.kind !== 'json' || typeof output.value.response !== 'string') throw new ApiError(502, 'upstream_failed', 'The AI service failed');
    return { text: output.value.response, model: chosen };
  };
});

const summarize = aiRoute((body) => {
  const text = textField(body, 'text', inputLimits.text);
  const chosen = model('summarize', body);
  return async (env) => {
    const output = await runModel(env, chosen, { input_text: text });
    if (output.kind !== 'json' || typeof output.value.summary !== 'string') throw new ApiError(502, 'upstream_failed', 'The AI service failed');
    return { summary: output.value.summary, model: chosen };
  };
});

const imageGenerate = aiRoute((body) => {
  const prompt = textField(body, 'prompt', inputLimits.imagePrompt);
  const chosen = model('image', body);
  return async (env, auth) => {
    const output = await runModel(env, chosen, { prompt });
    if (output.kind !== 'bytes' || output.value.byteLength === 0) throw new ApiError(502, 'upstream_failed', 'The AI service failed');
    // The image goes to R2 under the caller's prefix; the answer carries its key, not the bytes.
    const key = generateKey('image/png');
    await env.R2.put(`${callerPrefix(auth)}${key}`, output.value, { httpMetadata: { contentType: 'image/png' }, customMetadata: { userId: auth.userId } });
    return { key, model: chosen };
  };
});

export function mountAiRoutes(app: Hono<ApiEnv>): void {
  route(app, '/v1/ai/text-generate', { POST: textGenerate });
  route(app, '/v1/ai/summarize', { POST: summarize });
  route(app, '/v1/ai/image-generate', { POST: imageGenerate });
}
