import { readFileSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { ProjectTree } from '../generators/plan.js';

/** A read-only view of a directory for the planners; a missing file reads as undefined. */
export function diskTree(root: string): ProjectTree {
  return {
    read(path) {
      try {
        return readFileSync(join(root, path), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

export type TargetState = 'missing' | 'empty' | 'project' | 'non-empty' | 'file';

/** What the target of `init-worker` is now. */
export function inspectTarget(root: string, manifestFile: string): TargetState {
  let info: Stats;
  try {
    info = statSync(root);
  } catch {
    return 'missing';
  }
  if (!info.isDirectory()) return 'file';
  const entries = readdirSync(root);
  if (entries.length === 0) return 'empty';
  return entries.includes(manifestFile) ? 'project' : 'non-empty';
}
