import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI: end-to-end tests run what users run (`npm run build` comes first in `npm test`). */
export const cliPath = join(repoRoot, 'dist/cli/index.js');

/**
 * What a team answers for a project it deploys: the account (the emulated account's default id), the InstantDB app
 * and the app's origin. `init-worker --yes` alone leaves them empty, and `appshell deploy` refuses that.
 */
export const productionAnswers = [
  '--account-id',
  'e1a1e1a1e1a1e1a1e1a1e1a1e1a1e1a1',
  '--instant-app-id',
  '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  '--origins',
  'https://app.example.com',
];

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `appshell <args>` with no terminal, as CI would. */
export async function runCli(args: string[], options: Options = {}): Promise<CliResult> {
  const result = await execa('node', [cliPath, ...args], {
    reject: false,
    stdin: 'ignore',
    env: { WRANGLER_SEND_METRICS: 'false', ...options.env },
    ...options,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/**
 * Every file, link and directory under `root` with its mode and content hash: to prove nothing changed.
 * Installed packages (`node_modules`) are left out.
 */
export async function snapshotTree(root: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  async function walk(dir: string): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      const info = await lstat(full);
      const key = relative(root, full);
      if (info.isSymbolicLink()) {
        snapshot[key] = `link ${await readlink(full)}`;
      } else if (info.isDirectory()) {
        snapshot[`${key}/`] = `dir ${info.mode.toString(8)}`;
        await walk(full);
      } else {
        snapshot[key] = `${info.mode.toString(8)} ${createHash('sha256')
          .update(await readFile(full))
          .digest('hex')}`;
      }
    }
  }
  await walk(root);
  return snapshot;
}

/** A fresh temporary directory, removed by the returned function. */
export async function makeTempDir(prefix = 'appshell-test-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
