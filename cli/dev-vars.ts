import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { WorkerName } from '../generators/answers.js';
import type { ProjectManifest } from '../generators/manifest.js';
import { workerDescriptors } from '../generators/workers/index.js';
import { generateSecretValue } from './secret-values.js';

export interface LocalSecretsReport {
  worker: WorkerName;
  path: string;
  /** Names written now (values never reported). */
  added: string[];
  /** Names a team provides that are still empty. */
  missingProvided: string[];
}

function quote(value: string): string {
  // dotenv reads single-quoted values literally; generated values never contain a single quote.
  return `'${value}'`;
}

async function readDevVars(path: string): Promise<{ text: string; values: Record<string, string> } | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    return { text, values: parseDotenv(text) };
  } catch {
    return undefined;
  }
}

/** Writes a file readable by its owner only, atomically (temporary file beside it, then rename). */
async function writePrivateFile(path: string, content: string): Promise<void> {
  const temp = `${path}.appshell-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temp, content, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * `.dev.vars` for every Worker, for `wrangler dev` and `appshell dev`: generated secrets get fresh values,
 * Workers of one shared group get the same value (kept from any file that already has it), provided secrets come
 * from the environment when set. Existing values are never changed unless `force`; files are mode 0600.
 */
export async function ensureLocalDevVars(
  root: string,
  manifest: ProjectManifest,
  options: { force?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<LocalSecretsReport[]> {
  const environment = options.env ?? process.env;
  const files = new Map<WorkerName, { path: string; existing?: { text: string; values: Record<string, string> } }>();
  const groupValues = new Map<string, string>();
  for (const worker of manifest.workers) {
    const path = join(root, 'workers', worker, '.dev.vars');
    const existing = await readDevVars(path);
    files.set(worker, { path, existing });
    if (options.force) continue;
    for (const secret of workerDescriptors[worker].bindings(manifest).secrets) {
      const value = existing?.values[secret.name];
      if (secret.sharedGroup && value && !groupValues.has(secret.sharedGroup)) groupValues.set(secret.sharedGroup, value);
    }
  }

  const reports: LocalSecretsReport[] = [];
  for (const worker of manifest.workers) {
    const { path, existing } = files.get(worker)!;
    const secrets = workerDescriptors[worker].bindings(manifest).secrets;
    const values = options.force ? {} : { ...existing?.values };
    const added: string[] = [];
    const missingProvided: string[] = [];
    for (const secret of secrets) {
      if (values[secret.name]) continue;
      let value: string | undefined;
      if (secret.source === 'provided') value = environment[secret.name] || undefined;
      else if (secret.sharedGroup) {
        value = groupValues.get(secret.sharedGroup) ?? generateSecretValue(secret.name);
        groupValues.set(secret.sharedGroup, value);
      } else value = generateSecretValue(secret.name);
      if (value === undefined) {
        if (!secret.optional) missingProvided.push(secret.name);
        continue;
      }
      values[secret.name] = value;
      added.push(secret.name);
    }
    if (added.length > 0 || (options.force && secrets.length > 0)) {
      const keep = options.force || !existing ? '' : existing.text.replace(/\n*$/, '\n');
      const header = existing && !options.force ? '' : `# Local secrets of the ${worker} Worker (git-ignored). Written by appshell; never commit this file.\n`;
      const lines = (options.force ? secrets.map((s) => s.name).filter((n) => values[n] !== undefined) : added).map(
        (name) => `${name}=${quote(values[name]!)}`,
      );
      await writePrivateFile(path, `${header}${keep}${lines.join('\n')}\n`);
    }
    reports.push({ worker, path, added, missingProvided });
  }
  return reports;
}
