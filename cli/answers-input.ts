import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import {
  answerFlags,
  configFormats,
  defaultAnswers,
  featureNames,
  identityProviders,
  jwtAlgorithms,
  promptedAnswers,
  promptedDefaultedAnswers,
  promptedDeployAnswers,
  rateLimiters,
  splitList,
  validateAnswers,
  workerNames,
  type AnswerKey,
  type InitAnswers,
} from '../generators/answers.js';
import { toolchainForNode } from '../generators/versions.js';
import { CancelledError, usageError } from './errors.js';

/** Options as commander hands them to `init-worker`. */
export interface InitWorkerFlags {
  name?: string;
  workers?: string;
  accountId?: string;
  bucket?: string;
  identity?: string;
  instantAppId?: string;
  supabaseUrl?: string;
  jwtAlg?: string;
  issuer?: string;
  audience?: string;
  origins?: string;
  devOrigins?: string;
  features?: string;
  envs?: string;
  configFormat?: string;
  ci?: string;
  toolchain?: string;
  rateLimiter?: string;
  install?: boolean;
  git?: boolean;
  answers?: string;
  yes?: boolean;
  dryRun?: boolean;
  force?: boolean;
  verbose?: boolean;
}

const listAnswers = new Set<AnswerKey>(['workers', 'origins', 'devOrigins', 'features', 'envs']);

/** The answers given as flags, only those the user typed. */
export function answersFromFlags(flags: InitWorkerFlags): Partial<Record<AnswerKey, unknown>> {
  const given: Partial<Record<AnswerKey, unknown>> = {};
  for (const key of Object.keys(answerFlags) as AnswerKey[]) {
    const value = flags[key as keyof InitWorkerFlags];
    if (value === undefined) continue;
    if (key === 'install' || key === 'git') {
      // commander sets these to true by default for --no-* flags; only `false` is an answer.
      if (value === false) given[key] = false;
      continue;
    }
    given[key] = listAnswers.has(key) && typeof value === 'string' ? splitList(value) : value;
  }
  return given;
}

/** Reads `--answers <file.json>`: an object whose keys are answer names (camelCase, as in the manifest). */
export async function readAnswersFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(resolve(path), 'utf8');
  } catch (error) {
    throw usageError(`--answers: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(`--answers: ${path} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usageError(`--answers: ${path} must hold a JSON object of answers such as {"name": "my-api"}`);
  }
  return value as Record<string, unknown>;
}

type Prompter = (missing: AnswerKey[], known: Partial<InitAnswers>) => Promise<Partial<Record<AnswerKey, unknown>>>;

/**
 * Gathers answers: defaults < the project's appshell.json (a re-run) < answers file < flags < prompts (only for what is still missing, and only with a
 * terminal). Without a terminal and without `--yes`, stops naming the missing answers. Returns validated answers.
 */
export async function gatherAnswers(
  dir: string | undefined,
  flags: InitWorkerFlags,
  options: { interactive: boolean; prompt: Prompter; existing?: Partial<InitAnswers> },
): Promise<InitAnswers> {
  const fromFile = flags.answers ? await readAnswersFile(flags.answers) : {};
  const fromFlags = answersFromFlags(flags);
  // A re-run keeps the project's answers (`existing`, from its appshell.json) unless told otherwise.
  const given: Record<string, unknown> = { ...options.existing, ...fromFile, ...fromFlags };
  if (given.name === undefined && dir !== undefined) given.name = basename(resolve(dir));

  if (!flags.yes) {
    const missing = promptedAnswers.filter((key) => given[key] === undefined);
    if (missing.length > 0 && !options.interactive) {
      throw usageError(
        `missing answers: ${missing.map((key) => answerFlags[key]).join(', ')} (no terminal to ask)`,
        'Give them as flags or in --answers <file.json>, or pass --yes to take the defaults.',
      );
    }
    if (options.interactive) {
      const asked = [...missing, ...[...promptedDefaultedAnswers, ...promptedDeployAnswers].filter((key) => given[key] === undefined)];
      if (asked.length > 0) Object.assign(given, await options.prompt(asked, given as Partial<InitAnswers>));
    }
  }
  if (typeof given.name !== 'string') {
    throw usageError('--name is required (or name the directory: appshell init-worker my-api)');
  }
  const defaults = defaultAnswers(given.name, toolchainForNode(process.versions.node));
  const merged: Record<string, unknown> = { ...defaults, ...given };
  const result = validateAnswers(merged);
  if (!result.ok) throw usageError(result.message);
  return result.value;
}

/** Asks for the missing answers with @clack/prompts; Ctrl-C cancels quietly. */
export async function promptForAnswers(
  missing: AnswerKey[],
  known: Partial<InitAnswers> = {},
): Promise<Partial<Record<AnswerKey, unknown>>> {
  const prompts = await import('@clack/prompts');
  const answers: Partial<Record<AnswerKey, unknown>> = {};
  const check = <T>(value: T | symbol): T => {
    if (prompts.isCancel(value)) throw new CancelledError();
    return value as T;
  };
  const options = <T extends string>(values: readonly T[]) => values.map((value) => ({ value, label: value }));
  const optional = (key: AnswerKey, value: string | undefined) => {
    if (value?.trim()) answers[key] = value.trim();
  };
  for (const key of missing) {
    switch (key) {
      case 'name':
        answers.name = check(await prompts.text({ message: 'Project name', placeholder: 'my-api' }));
        break;
      case 'workers':
        answers.workers = check(
          await prompts.multiselect({ message: 'Workers', options: options(workerNames), initialValues: [...workerNames], required: true }),
        );
        break;
      case 'identity':
        answers.identity = check(await prompts.select({ message: 'Identity provider', options: options(identityProviders) }));
        break;
      case 'jwtAlg':
        answers.jwtAlg = check(await prompts.select({ message: 'Session JWT algorithm', options: options(jwtAlgorithms) }));
        break;
      case 'accountId':
        optional(
          'accountId',
          check<string | undefined>(
            await prompts.text({ message: 'Cloudflare account id (empty: set it later)', placeholder: '32 hexadecimal characters' }),
          ),
        );
        break;
      case 'instantAppId':
        if ((answers.identity ?? known.identity ?? 'instant') === 'instant') {
          optional(
            'instantAppId',
            check<string | undefined>(await prompts.text({ message: 'InstantDB app id (empty: set it later)', placeholder: 'a UUID' })),
          );
        }
        break;
      case 'supabaseUrl':
        if ((answers.identity ?? known.identity) === 'supabase') {
          optional(
            'supabaseUrl',
            check<string | undefined>(
              await prompts.text({ message: 'Supabase project URL (empty: set it later)', placeholder: 'https://abcd.supabase.co' }),
            ),
          );
        }
        break;
      case 'origins':
        answers.origins = splitList(
          check<string>(
            await prompts.text({
              message: "Your app's origins in deployed environments (comma list; empty: none yet)",
              placeholder: 'https://app.example.com',
            }),
          ) ?? '',
        );
        break;
      case 'devOrigins':
        answers.devOrigins = splitList(
          check<string>(
            await prompts.text({ message: 'Origins allowed in local development (comma list)', initialValue: 'http://localhost:3000' }),
          ) ?? '',
        );
        break;
      case 'features':
        answers.features = check(
          await prompts.multiselect({ message: 'Optional features', options: options(featureNames), required: false }),
        );
        break;
      case 'envs':
        answers.envs = splitList(
          check<string>(await prompts.text({ message: 'Environments (comma list)', initialValue: 'staging,production' })),
        );
        break;
      case 'configFormat':
        answers.configFormat = check(await prompts.select({ message: 'Wrangler config format', options: options(configFormats) }));
        break;
      case 'rateLimiter':
        if (((answers.workers ?? known.workers ?? workerNames) as readonly string[]).includes('api')) {
          answers.rateLimiter = check(
            await prompts.select({
              message: 'API rate limiter',
              options: [
                { value: rateLimiters[0], label: 'exact', hint: 'a Durable Object per user: exact counts, one round trip to it' },
                { value: rateLimiters[1], label: 'edge', hint: 'Workers Rate Limiting binding: per location, approximate, no round trip' },
              ],
              initialValue: 'exact',
            }),
          );
        }
        break;
      default:
        break;
    }
  }
  return answers;
}
