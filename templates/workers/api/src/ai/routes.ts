import type { Context } from 'hono';
import { noteErrorDetail, DetailedApiError } from '../cloudflare-api.js';
import type { ApiEnv, Env } from '../env.js';
import { createJob, runJob } from '../jobs.js';
import { ApiError } from '../lib/errors.js';
import { ownerMetadata, ownPrefix } from '../owner.js';
import { generateKey } from '../r2/keys.js';
import type { BuiltInHandler } from '../routes/mount.js';
import { inputLimits, pickModel, type AiTask } from './models.js';
import { runModel } from './run.js';

/** Who asked: their storage prefix (also the job owner) and the metadata their objects carry. */
interface Owner {
  prefix: string;
  metadata: Record<string, string>;
}

/** The model call once the request is checked. */
type Work = (env: Env, owner: Owner) => Promise<Record<string, unknown>>;

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

function unexpected(model: string): DetailedApiError {
  return new DetailedApiError(502, `${model}: answer has an unexpected shape`);
}

/**
 * Checks what the schema in route-table.ts cannot (lengths: 413, models), then runs the work now (200) or as a job
 * (`{"async": true}` -> 202 `{job_id}`).
 */
function aiRoute(prepare: (body: Record<string, unknown>) => Work) {
  return async function aiHandler(c: Context<ApiEnv>, body: Record<string, unknown>): Promise<Response> {
    const work = prepare(body);
    const owner: Owner = { prefix: ownPrefix(c), metadata: ownerMetadata(c.get('auth')) };
    if (body.async === true) {
      const id = await createJob(c.env, owner.prefix);
      c.executionCtx.waitUntil(runJob(c.env, id, () => work(c.env, owner)));
      return c.json({ job_id: id }, 202);
    }
    try {
      return c.json(await work(c.env, owner));
    } catch (error) {
      noteErrorDetail(c, error);
      throw error;
    }
  };
}

const textGenerateRoute = aiRoute((body) => {
  const prompt = textField(body, 'prompt', inputLimits.prompt);
  const chosen = model('text', body);
  return async (env) => {
    const output = await runModel(env, chosen, { prompt });
    if (output.kind !== 'json' || typeof output.value.response !== 'string') throw unexpected(chosen);
    return { text: output.value.response, model: chosen };
  };
});

const summarizeRoute = aiRoute((body) => {
  const text = textField(body, 'text', inputLimits.text);
  const chosen = model('summarize', body);
  return async (env) => {
    const output = await runModel(env, chosen, { input_text: text });
    if (output.kind !== 'json' || typeof output.value.summary !== 'string') throw unexpected(chosen);
    return { summary: output.value.summary, model: chosen };
  };
});

/** PNG or JPEG, from the first bytes (the models answer one or the other). */
function imageType(bytes: Uint8Array): 'image/png' | 'image/jpeg' | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}

const imageGenerateRoute = aiRoute((body) => {
  const prompt = textField(body, 'prompt', inputLimits.imagePrompt);
  const chosen = model('image', body);
  return async (env, owner) => {
    const output = await runModel(env, chosen, { prompt });
    const contentType = output.kind === 'bytes' ? imageType(output.value) : undefined;
    if (output.kind !== 'bytes' || !contentType) throw unexpected(chosen);
    // The image goes to R2 under the caller's prefix; the answer carries its key, not the bytes.
    const key = generateKey(contentType);
    await env.R2.put(`${owner.prefix}${key}`, output.value, {
      httpMetadata: { contentType },
      customMetadata: { ...owner.metadata, model: chosen },
    });
    return { key, model: chosen, contentType, size: output.value.byteLength };
  };
});

// The Workers AI routes (feature `ai`): text, summary and image, each synchronous or as a job.
export const textGenerate: BuiltInHandler<'textGenerate'> = (c) => textGenerateRoute(c, c.req.valid('json'));
export const summarize: BuiltInHandler<'summarize'> = (c) => summarizeRoute(c, c.req.valid('json'));
export const imageGenerate: BuiltInHandler<'imageGenerate'> = (c) => imageGenerateRoute(c, c.req.valid('json'));
