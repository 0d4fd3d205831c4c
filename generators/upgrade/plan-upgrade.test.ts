import { beforeAll, describe, expect, it } from 'vitest';
import { defaultAnswers } from '../answers.js';
import { planInitWorker } from '../init-worker.js';
import { memoryTree, readState, statePath, type PlannedFile } from '../plan.js';
import { loadTemplates, type TemplateSource } from '../template-source.js';
import { hasConflictMarkers } from './merge-text.js';
import { planUpgrade, type UpgradeAction } from './plan-upgrade.js';

let source: TemplateSource;
beforeAll(async () => {
  source = await loadTemplates();
});

const fixPath = 'runtime/lib/errors.ts';
/** A file the older templates ship and the newer ones do not. */
const droppedPath = 'workers/sender/src/old-note.ts';
const fixed = (text: string) => text.replace('The error codes a client can see.', 'The error codes a client can see (fixed).');

/** A project as init-worker writes it, as a mutable tree. */
function scaffold(): Record<string, string> {
  const older = new Map(source).set(droppedPath, 'export const old = 1;\n');
  const plan = planInitWorker({
    answers: defaultAnswers('shop'),
    root: '/v/shop',
    tree: memoryTree(),
    newProject: true,
    source: older,
    force: false,
  });
  return Object.fromEntries(plan.files.map((file) => [file.path, file.content]));
}

/** The templates of a newer appshell: a fix in a runtime module and one new file (and not the dropped one). */
function newerSource(): TemplateSource {
  const next = new Map(source);
  next.set(fixPath, fixed(source.get(fixPath)!));
  next.set('workers/api/src/upgrade-note.ts', 'export const note = 1;\n');
  return next;
}

/** Writes a plan into the tree as apply would. */
function apply(files: Record<string, string>, planned: PlannedFile[]): void {
  for (const file of planned) {
    if (file.action === 'remove') delete files[file.path];
    else if (file.action !== 'unchanged') files[file.path] = file.content;
  }
}

function actionOf(entries: { path: string; action: UpgradeAction }[], path: string): UpgradeAction | undefined {
  return entries.find((entry) => entry.path === path)?.action;
}

describe('planUpgrade', () => {
  it('updates, keeps, merges, creates, removes and leaves deleted files deleted', () => {
    const files = scaffold();
    expect(files['.appshell/base/workers/api/src/lib/errors.ts']).toBe(files['workers/api/src/lib/errors.ts']);
    // The team: an edit far from the fix in one copy, an edit in a file the template does not change, a deletion.
    files['workers/receiver/src/lib/errors.ts'] = `${files['workers/receiver/src/lib/errors.ts']}\n// team note\n`;
    files['workers/api/src/index.ts'] = `// our API\n${files['workers/api/src/index.ts']}`;
    delete files['workers/auth-shim/src/lib/errors.ts'];

    const result = planUpgrade({ root: '/v/shop', tree: memoryTree(files), source: newerSource(), to: '0.2.0' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { entries, files: planned } = result.plan;
    expect(actionOf(entries, 'workers/api/src/lib/errors.ts')).toBe('update');
    expect(actionOf(entries, 'workers/receiver/src/lib/errors.ts')).toBe('merge');
    expect(actionOf(entries, 'workers/api/src/index.ts')).toBe('keep');
    expect(actionOf(entries, 'workers/auth-shim/src/lib/errors.ts')).toBe('deleted');
    expect(actionOf(entries, 'workers/api/src/upgrade-note.ts')).toBe('create');
    expect(actionOf(entries, droppedPath)).toBe('remove');
    expect(result.plan.conflicts).toEqual([]);

    apply(files, planned);
    expect(files['workers/receiver/src/lib/errors.ts']).toContain('(fixed)');
    expect(files['workers/receiver/src/lib/errors.ts']).toContain('// team note');
    expect(files['workers/api/src/index.ts']).toMatch(/^\/\/ our API\n/);
    expect(files['workers/auth-shim/src/lib/errors.ts']).toBeUndefined();
    expect(files[droppedPath]).toBeUndefined();
    expect(files[`.appshell/base/${droppedPath}`]).toBeUndefined();
    expect(JSON.parse(files['appshell.json']!).templateVersion).toBe('0.2.0');
    expect(files['.appshell/base/workers/receiver/src/lib/errors.ts']).toContain('(fixed)');
    expect(files['.appshell/base/workers/receiver/src/lib/errors.ts']).not.toContain('// team note');

    // Running it again changes nothing.
    const again = planUpgrade({ root: '/v/shop', tree: memoryTree(files), source: newerSource(), to: '0.2.0' });
    expect(again.ok && again.plan.files.filter((file) => file.action !== 'unchanged')).toEqual([]);
  });

  it('marks a conflict, keeps the old templateVersion and records the pending upgrade', () => {
    const files = scaffold();
    const path = 'workers/api/src/lib/errors.ts';
    files[path] = files[path]!.replace('The error codes a client can see.', 'The error codes our clients see.');
    const result = planUpgrade({ root: '/v/shop', tree: memoryTree(files), source: newerSource(), to: '0.2.0' });
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.conflicts).toEqual([path]);
    apply(files, result.plan.files);
    expect(hasConflictMarkers(files[path]!)).toBe(true);
    expect(JSON.parse(files['appshell.json']!).templateVersion).toBe('0.1.0');
    expect(readState(memoryTree(files))?.upgrade).toEqual({ from: '0.1.0', to: '0.2.0', conflicts: [path] });
    // Re-running does not get around the markers.
    const again = planUpgrade({ root: '/v/shop', tree: memoryTree(files), source: newerSource(), to: '0.2.0' });
    expect(again.ok && again.plan.conflicts).toEqual([path]);
  });

  it("keeps a version 2 project's routes working: fetch handlers stay theirs, the registry mounts them as before", () => {
    const files = scaffold();
    const { routes, ...rest } = JSON.parse(files['appshell.json']!);
    files['appshell.json'] = `${JSON.stringify({ ...rest, schemaVersion: 2, routes }, null, 2)}\n`;
    // The example handler as appshells before route tables wrote it.
    const fetchHello =
      "import type { ExtensionHandler } from './types.js';\n\nexport const hello: ExtensionHandler = (request, _env, auth) =>\n  Response.json({ hello: auth.userId, roles: auth.roles, tenant: auth.tenant ?? null, path: new URL(request.url).pathname });\n";
    files['workers/api/src/extensions/hello.ts'] = fetchHello;
    const result = planUpgrade({ root: '/v/shop', tree: memoryTree(files), source: newerSource(), to: '0.2.0' });
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.manifestMigratedFrom).toBe(2);
    const written = (path: string) => result.plan.files.find((file) => file.path === path);
    expect(JSON.parse(written('appshell.json')!.content).routes[0]).toMatchObject({ path: '/v1/hello', handlerStyle: 'fetch' });
    expect(written('workers/api/src/extensions/index.ts')!.content).toContain("{ prefix: '/v1/hello', methods: ['GET'],");
    expect(written('workers/api/src/extensions/hello.ts')).toBeUndefined();
    expect(result.plan.entries.find((entry) => entry.path === 'workers/api/src/extensions/hello.ts')?.action).toBe('keep');
  });

  it('migrates an appshell.json without schemaVersion in the same plan', () => {
    const files = scaffold();
    const { schemaVersion: _dropped, ...old } = JSON.parse(files['appshell.json']!);
    files['appshell.json'] = `${JSON.stringify(old, null, 2)}\n`;
    const result = planUpgrade({ root: '/v/shop', tree: memoryTree(files), source: newerSource(), to: '0.2.0' });
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.manifestMigratedFrom).toBe(1);
    expect(JSON.parse(result.plan.files.find((file) => file.path === 'appshell.json')!.content).schemaVersion).toBe(3);
  });

  it('refuses a project newer than these templates', () => {
    const files = scaffold();
    files['appshell.json'] = files['appshell.json']!.replace('"templateVersion": "0.1.0"', '"templateVersion": "9.0.0"');
    const result = planUpgrade({ root: '/v/shop', tree: memoryTree(files), source, to: '0.1.0' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/templateVersion 9\.0\.0 is newer/);
  });

  it('writes the state file with every record', () => {
    const files = scaffold();
    const result = planUpgrade({ root: '/v/shop', tree: memoryTree(files), source: newerSource(), to: '0.2.0' });
    if (!result.ok) throw new Error(result.message);
    const state = JSON.parse(result.plan.files.find((file) => file.path === statePath)!.content);
    expect(Object.keys(state.files)).toContain('workers/api/src/upgrade-note.ts');
  });
});
