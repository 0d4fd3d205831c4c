import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { CancelledError, usageError } from './errors.js';

/** Values the team gives for provided secrets; they live in memory only, for the one run. */
export type SuppliedValues = Map<string, string>;

/** Whether appshell may ask: a person at a terminal, and no --yes. */
export function canPrompt(yes: boolean | undefined): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY && !yes);
}

/**
 * Values for `names` from the environment (only with --from-env, which wins) and from a `.env` file (--from-file);
 * names with neither are simply absent. An unreadable file is bad input (exit 2), named without its content.
 */
export async function readSuppliedValues(
  names: readonly string[],
  options: { fromEnv?: boolean; fromFile?: string; env?: NodeJS.ProcessEnv },
): Promise<SuppliedValues> {
  const environment = options.env ?? process.env;
  let file: Record<string, string> = {};
  if (options.fromFile !== undefined) {
    const path = resolve(options.fromFile);
    const text = await readFile(path, 'utf8').catch(() => {
      throw usageError(`--from-file: cannot read ${path}`, 'Give a .env file (NAME=value lines) that you can read.');
    });
    file = parseDotenv(text);
  }
  const values: SuppliedValues = new Map();
  for (const name of names) {
    const value = (options.fromEnv ? environment[name] : undefined) || file[name];
    if (value) values.set(name, value);
  }
  return values;
}

/**
 * Asks for each missing value with a masked prompt (nothing is echoed); without a terminal, or with --yes, stops
 * with exit 2 naming every missing secret and how to give them.
 */
export async function promptForMissing(
  missing: readonly string[],
  yes: boolean | undefined,
  nothingDone = 'nothing was pushed',
): Promise<SuppliedValues> {
  const values: SuppliedValues = new Map();
  if (missing.length === 0) return values;
  if (!canPrompt(yes)) {
    throw usageError(
      `missing values for ${missing.join(', ')} (${yes ? '--yes never prompts' : 'no terminal to ask'}); ${nothingDone}`,
      'Export them and pass --from-env, or put them in a .env file and pass --from-file <file>.',
    );
  }
  const prompts = await import('@clack/prompts');
  for (const name of missing) {
    const value = await prompts.password({
      message: `${name} (input hidden)`,
      validate: (text) => (text ? undefined : 'A value is required'),
    });
    if (prompts.isCancel(value)) throw new CancelledError();
    values.set(name, value);
  }
  return values;
}
