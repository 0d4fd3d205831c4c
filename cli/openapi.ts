import { resolve } from 'node:path';
import { renderOpenApi } from '../generators/openapi.js';
import { planFiles } from '../generators/plan.js';
import { applyPlan } from './apply.js';
import { diskTree } from './disk-tree.js';
import { print } from './output.js';
import { loadProject } from './project.js';

export interface OpenApiFlags {
  out?: string;
  dryRun?: boolean;
}

/** `appshell openapi [--out openapi.json]`: the OpenAPI 3.1 document of the project's routes. */
export async function runOpenApi(flags: OpenApiFlags): Promise<void> {
  const { root, manifest } = await loadProject();
  const content = renderOpenApi(manifest);
  if (flags.out === '-') {
    process.stdout.write(content);
    return;
  }
  const target = resolve(flags.out ?? resolve(root, 'openapi.json'));
  const inRoot = target.startsWith(`${root}/`);
  const path = inRoot ? target.slice(root.length + 1) : target;
  const files = planFiles([{ path, content, neverConflicts: true }], diskTree(inRoot ? root : '/'), { force: true }).filter(
    (file) => inRoot || file.path === path,
  );
  const file = files.find((entry) => entry.path === path)!;
  if (flags.dryRun) {
    print(`${file.action} ${target} (dry run: nothing was written)`);
    return;
  }
  await applyPlan({ root: inRoot ? root : '/', newProject: false, files });
  print(`${file.action === 'unchanged' ? 'Unchanged' : 'Wrote'} ${target}`);
}
