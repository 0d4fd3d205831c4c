import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CliError } from './errors.js';

/** How appshell runs wrangler: the command, where it was found, and arguments that always come first. */
export interface WranglerCommand {
  file: string;
  source: 'APPSHELL_WRANGLER' | 'project' | 'PATH';
}

export interface WranglerResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved, for showing a failure. */
  all: string;
}

/**
 * Finds wrangler as npx does: `APPSHELL_WRANGLER` first (tests point it at a recording stand-in), then the
 * project's `node_modules/.bin`, then PATH.
 */
export function findWrangler(projectRoot: string, env: NodeJS.ProcessEnv = process.env): WranglerCommand {
  if (env.APPSHELL_WRANGLER) return { file: env.APPSHELL_WRANGLER, source: 'APPSHELL_WRANGLER' };
  const local = join(projectRoot, 'node_modules', '.bin', 'wrangler');
  if (existsSync(local)) return { file: local, source: 'project' };
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'wrangler'))) return { file: join(dir, 'wrangler'), source: 'PATH' };
  }
  throw new CliError('wrangler was not found in the project (node_modules/.bin) or on PATH', {
    suggestion: 'Run npm install in the project, or set APPSHELL_WRANGLER to a wrangler executable.',
  });
}

/**
 * Runs wrangler with an argument array (never a shell). Secret values travel only on stdin (`input`);
 * metrics are off. `WRANGLER_OUTPUT_FILE_PATH` can be passed in `env` to read wrangler's ND-JSON results; a name
 * set to `undefined` in `env` is removed from the environment wrangler inherits.
 */
export async function runWrangler(
  wrangler: WranglerCommand,
  args: string[],
  options: { cwd: string; input?: string; env?: Record<string, string | undefined> },
): Promise<WranglerResult> {
  const { execa } = await import('execa');
  try {
    const result = await execa(wrangler.file, args, {
      cwd: options.cwd,
      reject: false,
      all: true,
      input: options.input,
      stdin: options.input === undefined ? 'ignore' : undefined,
      env: { WRANGLER_SEND_METRICS: 'false', ...options.env },
    });
    if (result.failed && result.exitCode === undefined) {
      throw new CliError(`could not run ${wrangler.file}: ${result.shortMessage ?? 'failed to start'}`, {
        suggestion: 'Check that wrangler is installed (npm install) or that APPSHELL_WRANGLER names an executable.',
      });
    }
    return {
      exitCode: result.exitCode ?? 1,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      all: String(result.all ?? ''),
    };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`could not run ${wrangler.file}: ${(error as Error).message}`);
  }
}
