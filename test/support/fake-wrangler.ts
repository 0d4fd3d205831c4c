import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

export const fakeWranglerPath = join(repoRoot, 'fixtures/fake-wrangler/wrangler.mjs');

export interface WranglerCall {
  argv: string[];
  cwd: string;
  stdin: string;
  env: Record<string, string>;
  /** `deploy --secrets-file`: the file's mode (octal) and a SHA-256 of each value, read while the deploy ran. */
  secretsFile?: { mode: string; sha256: Record<string, string> };
}

/** Files and environment that make the recording stand-in wrangler (fixtures/fake-wrangler) answer a test. */
export function fakeWrangler(dir: string) {
  const log = join(dir, 'wrangler-calls.jsonl');
  const state = join(dir, 'wrangler-state.json');
  return {
    env: (extra: Record<string, string> = {}) => ({
      APPSHELL_WRANGLER: fakeWranglerPath,
      FAKE_WRANGLER_LOG: log,
      FAKE_WRANGLER_STATE: state,
      ...extra,
    }),
    /** Deployed Workers and the names of their secrets. */
    setState: (value: Record<string, string[]>) => writeFile(state, JSON.stringify(value)),
    /** KV namespaces on the stand-in account. */
    setKv: (namespaces: { id: string; title: string }[]) => writeFile(`${state}.kv.json`, JSON.stringify(namespaces)),
    kv: async (): Promise<{ id: string; title: string }[]> => JSON.parse(await readFile(`${state}.kv.json`, 'utf8').catch(() => '[]')),
    calls: async (): Promise<WranglerCall[]> => {
      const text = await readFile(log, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as WranglerCall);
    },
    reset: () => writeFile(log, ''),
  };
}
