import { parse as parseDotenv } from 'dotenv';
import type { WorkerName } from './answers.js';
import type { ProjectManifest } from './manifest.js';
import { workerDescriptors } from './workers/index.js';

export interface LocalSecretsInput {
  manifest: ProjectManifest;
  /** The current text of each Worker's `.dev.vars` (undefined: no file yet). */
  existing: ReadonlyMap<WorkerName, string | undefined>;
  /** A value for a provided secret (the environment, or --from-file), if the team gave one. */
  provided: (name: string) => string | undefined;
  /** A fresh value for a generated secret: random in the CLI, fixed in tests. */
  generate: (name: string) => string;
  /** Replace values that are there already (generated ones get new values; provided ones the given value). */
  force: boolean;
}

export interface LocalFilePlan {
  worker: WorkerName;
  /** Relative to the project root. */
  path: string;
  /** The new text; undefined when the file stays as it is. */
  content?: string;
  created: boolean;
  /** Names written now that were absent or empty (values are never part of a report). */
  added: string[];
  /** Names whose existing value --force replaced. */
  replaced: string[];
  /** Required provided secrets that are still without a value. */
  missingProvided: string[];
  /** Shared-group secrets whose value here differs from the group's (kept; --force makes them equal). */
  inconsistent: string[];
}

export type LocalSecretsPlan = { ok: true; files: LocalFilePlan[] } | { ok: false; message: string };

const header = (worker: WorkerName) =>
  `# Local secrets of the ${worker} Worker for wrangler dev and appshell dev. Written by appshell secrets --local;\n# git-ignored, mode 0600. Never commit this file; deployed Workers get their secrets from appshell secrets --push.\n`;

/**
 * How a value is written so that dotenv (which wrangler uses for `.dev.vars`) reads it back unchanged: single
 * quotes are literal, double quotes expand `\n`, so a value with a backslash, a line break or every quote
 * character cannot be written safely and is refused.
 */
export function quoteDotenvValue(value: string): string | undefined {
  if (/[\r\n\\]/.test(value)) return undefined;
  for (const quote of ["'", '"', '`']) if (!value.includes(quote)) return `${quote}${value}${quote}`;
  return undefined;
}

const definition = /^\s*(?:export\s+)?([\w.-]+)\s*(?:=|:\s)\s*(.*)$/;

/** Line ranges `[start, end)` of every definition of `name` (a quoted value may run over several lines). */
function spansOf(lines: string[], name: string): [number, number][] {
  const spans: [number, number][] = [];
  for (let index = 0; index < lines.length; index++) {
    const match = definition.exec(lines[index]!);
    if (!match) continue;
    let end = index + 1;
    const value = match[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && value.indexOf(quote, 1) === -1) {
      while (end < lines.length && !lines[end]!.includes(quote)) end++;
      end = Math.min(end + 1, lines.length);
    }
    if (match[1] === name) spans.push([index, end]);
    index = end - 1;
  }
  return spans;
}

/** `text` with `name` set to `line`: its last definition replaced, earlier ones dropped, else appended. */
function setLine(text: string, name: string, line: string): string {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const spans = spansOf(lines, name);
  if (spans.length === 0) return `${[...lines, line].join('\n')}\n`;
  for (const [index, [start, end]] of [...spans.entries()].reverse())
    lines.splice(start, end - start, ...(index === spans.length - 1 ? [line] : []));
  return `${lines.join('\n')}\n`;
}

/**
 * Each Worker's `.dev.vars` after `appshell secrets --local`: missing generated secrets get values (one per
 * shared group, reusing a value another Worker's file already holds), provided ones come from `provided`,
 * lines the team wrote stay as they are, and nothing that has a value changes unless `force`.
 *
 * @example
 * const plan = planLocalSecrets({ manifest, existing: new Map(), provided: () => undefined, generate: randomValue, force: false });
 * if (plan.ok) for (const file of plan.files) if (file.content !== undefined) writePrivate(file.path, file.content);
 */
export function planLocalSecrets(input: LocalSecretsInput): LocalSecretsPlan {
  const { manifest, force } = input;
  const parsed = new Map(manifest.workers.map((worker) => [worker, parseDotenv(input.existing.get(worker) ?? '')]));
  const groupValues = new Map<string, string>();
  if (!force) {
    for (const worker of manifest.workers) {
      for (const secret of workerDescriptors[worker].bindings(manifest).secrets) {
        const value = parsed.get(worker)![secret.name];
        if (secret.sharedGroup && secret.source === 'generated' && value && !groupValues.has(secret.sharedGroup))
          groupValues.set(secret.sharedGroup, value);
      }
    }
  }

  const files: LocalFilePlan[] = [];
  for (const worker of manifest.workers) {
    const before = input.existing.get(worker);
    const current = parsed.get(worker)!;
    const file: LocalFilePlan = {
      worker,
      path: `workers/${worker}/.dev.vars`,
      created: before === undefined,
      added: [],
      replaced: [],
      missingProvided: [],
      inconsistent: [],
    };
    let text = before ?? header(worker);
    for (const secret of workerDescriptors[worker].bindings(manifest).secrets) {
      const existing = current[secret.name] || undefined;
      let value: string | undefined;
      if (secret.source === 'generated') {
        const group = secret.sharedGroup;
        if (existing && !force) {
          if (group && existing !== groupValues.get(group)) file.inconsistent.push(secret.name);
          continue;
        }
        if (group && !groupValues.has(group)) groupValues.set(group, input.generate(secret.name));
        value = group ? groupValues.get(group)! : input.generate(secret.name);
      } else {
        const given = input.provided(secret.name) || undefined;
        if (existing && (!force || given === undefined || given === existing)) continue;
        if (given === undefined) {
          if (!secret.optional) file.missingProvided.push(secret.name);
          continue;
        }
        value = given;
      }
      const quoted = quoteDotenvValue(value);
      if (quoted === undefined) {
        return {
          ok: false,
          message: `${secret.name}: the value has a line break, a backslash or every kind of quote, so .dev.vars cannot hold it as it is`,
        };
      }
      text = setLine(text, secret.name, `${secret.name}=${quoted}`);
      (existing ? file.replaced : file.added).push(secret.name);
    }
    if (file.added.length > 0 || file.replaced.length > 0) file.content = text;
    files.push(file);
  }
  return { ok: true, files };
}
