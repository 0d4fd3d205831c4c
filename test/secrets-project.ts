// Helpers shared by the test/secrets*.test.ts files: a generated project, the recording stand-in wrangler, and
// readers for the calls it recorded.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from './support/cli.js';
import { fakeWrangler, type WranglerCall } from './support/fake-wrangler.js';

/** A call as the stand-in records it (it also records the names, never the values, of its environment). */
export type RecordedCall = WranglerCall & { envNames: string[] };

export const workers = ['auth-shim', 'api', 'sender', 'receiver'] as const;

/** `init-worker demo --yes` into `<parent>/<name>/demo` with the built CLI, and a stand-in wrangler beside it. */
export async function secretsProject(parent: string, name: string, flags: string[] = []) {
  const dir = join(parent, name);
  await mkdir(dir);
  const init = await runCli(['init-worker', 'demo', '--yes', '--no-install', '--no-git', ...flags], { cwd: dir });
  expect(init.exitCode, init.stderr).toBe(0);
  const root = join(dir, 'demo');
  const wrangler = fakeWrangler(dir);
  const secrets = (args: string[], env: Record<string, string> = {}) => runCli(['secrets', ...args], { cwd: root, env: wrangler.env(env) });
  const state = async (): Promise<Record<string, string[]>> => JSON.parse(await readFile(wrangler.env().FAKE_WRANGLER_STATE, 'utf8'));
  const calls = async () => (await wrangler.calls()) as RecordedCall[];
  /** Every Worker of `env` deployed, with no secrets yet. */
  const deployAll = (...envs: string[]) =>
    wrangler.setState(Object.fromEntries(envs.flatMap((env) => workers.map((worker) => [`demo-${worker}-${env}`, [] as string[]]))));
  return { dir, root, wrangler, secrets, state, calls, deployAll };
}

export const option = (argv: string[], name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
export const isCall = (call: WranglerCall, ...words: string[]) => words.every((word, index) => call.argv[index] === word);
export const bulkCalls = (calls: RecordedCall[]) => calls.filter((call) => isCall(call, 'secret', 'bulk'));
/** The JSON a bulk call read on stdin, by the config it was given. */
export const sentBy = (calls: RecordedCall[]) =>
  Object.fromEntries(bulkCalls(calls).map((call) => [option(call.argv, '--config')!, JSON.parse(call.stdin) as Record<string, string>]));
