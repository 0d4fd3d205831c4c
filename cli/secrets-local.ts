import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkerName } from '../generators/answers.js';
import { planLocalSecrets, type LocalFilePlan } from '../generators/secrets-local.js';
import { providedSecrets } from '../generators/secrets-plan.js';
import { CliError, usageError } from './errors.js';
import { print } from './output.js';
import type { LoadedProject } from './project.js';
import { generateSecretValue } from './secret-values.js';
import { readSuppliedValues } from './secrets-input.js';

export interface LocalOptions {
  force?: boolean;
  dryRun?: boolean;
  json?: boolean;
  fromFile?: string;
}

const privateMode = 0o600;

export async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/**
 * Writes every changed file through a private temporary file beside it (mode 0600 from its creation), then
 * renames them into place one after the other: a failure before the renames leaves every file as it was, and
 * no temporary file is left behind.
 */
export async function writePrivateFiles(root: string, files: LocalFilePlan[]): Promise<void> {
  const staged: { temp: string; target: string }[] = [];
  try {
    for (const file of files) {
      const target = join(root, file.path);
      const temp = `${target}.appshell-${randomBytes(6).toString('hex')}`;
      staged.push({ temp, target });
      await writeFile(temp, file.content!, { mode: privateMode, flag: 'wx' });
      await chmod(temp, privateMode); // a umask can only narrow the mode; this makes it exact
    }
    for (const { temp, target } of staged) await rename(temp, target);
  } finally {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true })));
  }
}

/** `.gitignore` at the project root ignores `.dev.vars` (the generated one does; a team may have edited it). */
async function gitIgnoresDevVars(root: string): Promise<boolean> {
  const text = (await readIfPresent(join(root, '.gitignore'))) ?? '';
  return text.split('\n').some((line) => /^\s*(\*\*\/)?\.dev\.vars\*?\s*$/.test(line));
}

/**
 * `appshell secrets --local`: `.dev.vars` for every Worker (for `wrangler dev` and `appshell dev`), mode 0600,
 * values only where none is set (unless --force), one value per shared group. Provided values come from the
 * environment or --from-file; names are reported, values never.
 */
export async function runLocal(project: LoadedProject, options: LocalOptions): Promise<void> {
  const { manifest, root } = project;
  const existing = new Map<WorkerName, string | undefined>();
  for (const worker of manifest.workers) existing.set(worker, await readIfPresent(join(root, 'workers', worker, '.dev.vars')));
  const providedNames = providedSecrets(manifest).map((secret) => secret.name);
  const supplied = await readSuppliedValues(providedNames, { fromEnv: true, fromFile: options.fromFile });

  const plan = planLocalSecrets({
    manifest,
    existing,
    provided: (name) => supplied.get(name),
    generate: generateSecretValue,
    force: Boolean(options.force),
  });
  if (!plan.ok) throw usageError(plan.message, 'Write that value into .dev.vars by hand.');
  const changed = plan.files.filter((file) => file.content !== undefined);
  if (!options.dryRun) {
    await writePrivateFiles(root, changed);
    // Files left as they were still must not be readable by others.
    for (const file of plan.files) {
      const path = join(root, file.path);
      if (file.content === undefined && existing.get(file.worker) !== undefined && ((await stat(path)).mode & 0o077) !== 0)
        await chmod(path, privateMode);
    }
  }
  const ignored = await gitIgnoresDevVars(root);

  if (options.json) {
    const files = plan.files.map(({ content, ...file }) => ({ ...file, changed: content !== undefined }));
    print(JSON.stringify({ dryRun: Boolean(options.dryRun), gitIgnored: ignored, files }, null, 2));
    return;
  }
  for (const file of plan.files) {
    const parts: string[] = [];
    if (file.added.length) parts.push(`${options.dryRun ? 'would add' : 'added'} ${file.added.join(', ')}`);
    if (file.replaced.length) parts.push(`${options.dryRun ? 'would replace' : 'replaced'} ${file.replaced.join(', ')}`);
    if (parts.length === 0) parts.push('nothing to change');
    if (file.missingProvided.length)
      parts.push(`still without a value (export them or use --from-file, then re-run): ${file.missingProvided.join(', ')}`);
    if (file.inconsistent.length)
      parts.push(`differs from the other Workers of its shared group (kept; --force makes them equal): ${file.inconsistent.join(', ')}`);
    print(`${file.path}: ${parts.join('; ')}`);
  }
  if (!ignored) print('Warning: .gitignore does not list .dev.vars; add it so these secrets are never committed.');
  print(options.dryRun ? 'Dry run: nothing was written.' : `Done: ${changed.length} file(s) written (mode 0600).`);
}
