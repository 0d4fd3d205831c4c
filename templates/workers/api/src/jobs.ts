import type { Env } from './env.js';
import { ApiError } from './lib/errors.js';
import { ownPrefix } from './owner.js';
import type { BuiltInHandler } from './routes/mount.js';

/** One asynchronous job as kept in the `JOBS` namespace. `owner` is the caller's prefix (tenant and user). */
export interface Job {
  owner: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  result?: unknown;
  /** An error code the client may see (`upstream_failed`, ...), never an internal reason. */
  error?: string;
  updated_at: string;
}

const jobKey = (id: string) => `job:${id}`;
/** Jobs are kept a day after their last change. */
const jobTtlSeconds = 24 * 60 * 60;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function jobs(env: Env): KVNamespace {
  if (!env.JOBS) throw new ApiError(500, 'misconfigured', 'Server misconfigured');
  return env.JOBS;
}

async function save(env: Env, id: string, job: Job): Promise<void> {
  await jobs(env).put(jobKey(id), JSON.stringify(job), { expirationTtl: jobTtlSeconds });
}

/**
 * Records a queued job for `owner` and returns its id (a random UUID: ids are not guessable).
 *
 * @example
 * const id = await createJob(env, ownPrefix(c));
 * c.executionCtx.waitUntil(runJob(env, id, () => work()));
 */
export async function createJob(env: Env, owner: string): Promise<string> {
  const id = crypto.randomUUID();
  await save(env, id, { owner, status: 'queued', updated_at: new Date().toISOString() });
  return id;
}

/** Runs `work` for a job (inside `ctx.waitUntil`) and records its outcome; the stored error is a public code only. */
export async function runJob(env: Env, id: string, work: () => Promise<unknown>): Promise<void> {
  const job = await jobs(env).get<Job>(jobKey(id), 'json');
  if (!job) return;
  await save(env, id, { owner: job.owner, status: 'running', updated_at: new Date().toISOString() });
  try {
    const result = await work();
    await save(env, id, { owner: job.owner, status: 'done', result, updated_at: new Date().toISOString() });
  } catch (error) {
    const code = error instanceof ApiError ? error.code : 'internal';
    const detail = (error as { detail?: string }).detail ?? `${(error as Error).name}: ${(error as Error).message}`;
    // No request is left to carry a log line, so the job writes its own (the reason stays out of KV).
    console.log(JSON.stringify({ level: 'error', service: 'api', job_id: id, status: 'failed', detail }));
    await save(env, id, { owner: job.owner, status: 'failed', error: code, updated_at: new Date().toISOString() });
  }
}

/** `GET /v1/jobs/:id`: the job's state, to its owner only (anyone else gets 404, as for an unknown id). */
export const getJob: BuiltInHandler<'getJob'> = async (c) => {
  const { id } = c.req.valid('param');
  const job = uuidPattern.test(id) ? await jobs(c.env).get<Job>(jobKey(id), 'json') : null;
  if (!job || job.owner !== ownPrefix(c)) throw new ApiError(404, 'not_found', 'No such job');
  return c.json({
    status: job.status,
    ...(job.result !== undefined ? { result: job.result } : {}),
    ...(job.error ? { error: job.error } : {}),
  });
};
