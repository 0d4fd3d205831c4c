import type { Context, Hono } from 'hono';
import type { ApiEnv, Env } from './env.js';
import { route } from './lib/app.js';
import { ApiError } from './lib/errors.js';

export interface Job {
  owner: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  result?: unknown;
  error?: string;
  updated_at: string;
}

const jobKey = (id: string) => `job:${id}`;
/** Finished jobs are kept a day. */
const jobTtlSeconds = 24 * 60 * 60;

async function save(env: Env, id: string, job: Job): Promise<void> {
  await env.JOBS.put(jobKey(id), JSON.stringify(job), { expirationTtl: jobTtlSeconds });
}

export async function createJob(env: Env, owner: string): Promise<string> {
  const id = crypto.randomUUID();
  await save(env, id, { owner, status: 'queued', updated_at: new Date().toISOString() });
  return id;
}

/** Runs `work` for a job (inside `ctx.waitUntil`) and records its outcome; errors stay generic. */
export async function runJob(env: Env, id: string, work: () => Promise<unknown>): Promise<void> {
  const job = await env.JOBS.get<Job>(jobKey(id), 'json');
  if (!job) return;
  await save(env, id, { ...job, status: 'running', updated_at: new Date().toISOString() });
  try {
    const result = await work();
    await save(env, id, { owner: job.owner, status: 'done', result, updated_at: new Date().toISOString() });
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'internal';
    await save(env, id, { owner: job.owner, status: 'failed', error: code, updated_at: new Date().toISOString() });
  }
}

/** `GET /v1/jobs/:id`: the job's state, to its owner only (anyone else gets 404). */
async function getJob(c: Context<ApiEnv>): Promise<Response> {
  const job = await c.env.JOBS.get<Job>(jobKey(c.req.param('id') ?? ''), 'json');
  if (!job || job.owner !== c.get('auth').userId) throw new ApiError(404, 'not_found', 'No such job');
  return c.json({ status: job.status, ...(job.result !== undefined ? { result: job.result } : {}), ...(job.error ? { error: job.error } : {}) });
}

export function mountJobRoutes(app: Hono<ApiEnv>): void {
  route(app, '/v1/jobs/:id', { GET: getJob });
}
