import { watch } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, makeTempDir, runCli, snapshotTree } from './support/cli.js';

const args = ['init-worker', 'demo', '--yes', '--no-install', '--no-git'];

/** Starts init and kills it with `signal` as soon as its staging directory appears beside the target. */
async function killWhileApplying(cwd: string, signal: NodeJS.Signals): Promise<void> {
  const child = execa('node', [cliPath, ...args], { cwd, reject: false, stdin: 'ignore' });
  const watcher = watch(cwd, (_event, name) => {
    if (name?.startsWith('.demo.appshell-')) child.kill(signal);
  });
  try {
    await child;
  } finally {
    watcher.close();
  }
}

describe('init-worker interrupted while applying', () => {
  let workspace: { dir: string; remove: () => Promise<void> };
  let complete: Record<string, string>;

  beforeAll(async () => {
    workspace = await makeTempDir();
    const reference = join(workspace.dir, 'reference');
    await execa('mkdir', [reference]);
    expect((await runCli(args, { cwd: reference })).exitCode).toBe(0);
    complete = await snapshotTree(join(reference, 'demo'));
  });
  afterAll(() => workspace.remove());

  it.each(['SIGKILL', 'SIGINT', 'SIGTERM'] as const)('leaves no project after %s in the middle of the writes', async (signal) => {
    const cwd = join(workspace.dir, signal);
    await execa('mkdir', [cwd]);
    await killWhileApplying(cwd, signal);
    const entries = await readdir(cwd);
    expect(entries).not.toContain('demo');
    // SIGINT and SIGTERM clean their staging directory; only SIGKILL cannot.
    if (signal !== 'SIGKILL') expect(entries).toEqual([]);
    // The next run starts over and completes.
    expect((await runCli(args, { cwd })).exitCode).toBe(0);
    expect(await snapshotTree(join(cwd, 'demo'))).toEqual(complete);
  });

  it('is absent or complete whenever it is killed', async () => {
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const cwd = join(workspace.dir, `random-${attempt}`);
      await execa('mkdir', [cwd]);
      const child = execa('node', [cliPath, ...args], { cwd, reject: false, stdin: 'ignore' });
      setTimeout(() => child.kill('SIGKILL'), 40 + attempt * 25);
      await child;
      const entries = await readdir(cwd);
      if (entries.includes('demo')) expect(await snapshotTree(join(cwd, 'demo'))).toEqual(complete);
    }
  });
});
