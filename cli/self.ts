import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { findTemplatesRoot } from '../generators/template-source.js';
import type { AppshellSelf } from '../generators/versions.js';

/** The appshell that is running: its package folder (the one that holds `templates/`) and version. */
export function appshellSelf(): AppshellSelf {
  const root = dirname(findTemplatesRoot());
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return { version, root, installed: root.split(sep).includes('node_modules') };
}
