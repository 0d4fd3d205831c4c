import { createTwoFilesPatch } from 'diff';
import { manifestFileName } from '../generators/manifest.js';
import { readBase, readState, statePath } from '../generators/plan.js';
import { diskTree } from './disk-tree.js';
import { usageError } from './errors.js';
import { print } from './output.js';
import { findProjectRoot } from './project.js';
import { relative, resolve } from 'node:path';

/**
 * `appshell diff [path]`: what the team changed since appshell last wrote each file, as a unified diff against the
 * base copies (a deleted file diffs against /dev/null). A path narrows it to one file or folder.
 */
export async function runDiff(path: string | undefined): Promise<void> {
  const root = findProjectRoot(process.cwd());
  if (!root)
    throw usageError(`no ${manifestFileName} in ${process.cwd()} or above it`, 'Run this inside a project made by `appshell init-worker`.');
  const prefix = path === undefined ? '' : relative(root, resolve(process.cwd(), path)).split('\\').join('/');
  if (prefix.startsWith('..')) throw usageError(`[path]: ${path} is outside the project ${root}`);
  const tree = diskTree(root);
  const state = readState(tree);
  let changed = 0;
  for (const file of Object.keys(state?.files ?? {}).sort()) {
    if (file === statePath || (prefix && file !== prefix && !file.startsWith(`${prefix}/`))) continue;
    const base = readBase(tree, file, state);
    const current = tree.read(file);
    if (base === undefined || base === current) continue;
    changed += 1;
    const patch = createTwoFilesPatch(
      `a/${file}`,
      current === undefined ? '/dev/null' : `b/${file}`,
      base,
      current ?? '',
      undefined,
      undefined,
      { context: 3 },
    );
    // The first line is a separator of `createTwoFilesPatch`; a unified diff starts at its ---/+++ pair.
    process.stdout.write(patch.split('\n').slice(1).join('\n'));
  }
  if (changed === 0) print(prefix ? `No changes to ${prefix} since appshell wrote it.` : 'No changes since appshell wrote the project.');
}
