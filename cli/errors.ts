/** Exit codes of every command (DESIGN.md §5). */
export const exitCodes = { done: 0, failed: 1, usage: 2 } as const;

/**
 * An error meant for the person at the terminal: one message naming the field, an optional suggestion,
 * and the exit code. Thrown anywhere in `cli/`, rendered once by `handleError`.
 *
 * @example
 * throw new CliError('--bucket must be 3-63 lowercase letters', { exitCode: 2, suggestion: 'try --bucket my-uploads' });
 */
export class CliError extends Error {
  readonly exitCode: number;
  readonly suggestion?: string;

  constructor(message: string, options: { exitCode?: number; suggestion?: string } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? exitCodes.failed;
    this.suggestion = options.suggestion;
  }
}

export function usageError(message: string, suggestion?: string): CliError {
  return new CliError(message, { exitCode: exitCodes.usage, suggestion });
}

/** Cancelling a prompt (Ctrl-C) is not an error: it ends quietly. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

/** Renders any error once, at the edge of the program, and returns the exit code. */
export function handleError(error: unknown, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): number {
  if (error instanceof CancelledError) {
    write('Cancelled; nothing was written.');
    return exitCodes.failed;
  }
  if (error instanceof CliError) {
    write(`appshell: ${error.message}`);
    if (error.suggestion) write(`  ${error.suggestion}`);
    return error.exitCode;
  }
  const commanderError = error as { code?: string; exitCode?: number };
  if (typeof commanderError.code === 'string' && commanderError.code.startsWith('commander.')) {
    return commanderError.exitCode === 0 ? exitCodes.done : exitCodes.usage;
  }
  write(`appshell: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return exitCodes.failed;
}
