import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { manifestFileName, type ProjectManifest } from '../generators/manifest.js';
import { parseManifest } from '../generators/manifest-read.js';
import { usageError } from './errors.js';

export interface LoadedProject {
  root: string;
  manifest: ProjectManifest;
}

/** Finds `appshell.json` in `from` or a folder above it. */
export function findProjectRoot(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, manifestFileName))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Loads the project around `from`; outside a generated project, or with a broken manifest, exits 2. */
export async function loadProject(from: string = process.cwd()): Promise<LoadedProject> {
  const root = findProjectRoot(from);
  if (!root) {
    throw usageError(`no ${manifestFileName} in ${resolve(from)} or above it`, 'Run this inside a project made by `appshell init-worker`.');
  }
  const parsed = parseManifest(await readFile(join(root, manifestFileName), 'utf8'));
  if (!parsed.ok) throw usageError(parsed.message, `Fix ${join(root, manifestFileName)} (its JSON Schema is appshell.schema.json).`);
  return { root, manifest: parsed.manifest };
}
