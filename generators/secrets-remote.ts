import type { RemoteState } from './secrets-plan.js';

/** What a finished wrangler run left behind (the shape of cli/wrangler.ts `WranglerResult`). */
export interface WranglerOutput {
  exitCode: number;
  stdout: string;
  /** stdout and stderr interleaved. */
  all: string;
}

// wrangler 4.86.0, src/secret/index.ts: `secret list` on a Worker that does not exist throws
// `Worker "<name>" (env: <env>) not found.`; the API codes behind it are 10007 and 10090 (legacy environments).
const workerNotFound = /Worker "[^"]*"(?: \(env: [^)]*\))? not found|\[code: 100(?:07|90)\]/;
// requireAuth: "In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment
// variable ..." (no terminal) or "Did not login, quitting..."; whoami: "You are not authenticated." (exit 0).
const notLoggedIn = /necessary to set a CLOUDFLARE_API_TOKEN|Did not login|You are not authenticated|Not logged in/i;
// `secret bulk` with input it cannot parse logs this and exits 0 without uploading anything.
const nothingUploaded = /No content found in file,? or piped input/;

/** ANSI colour codes out, so patterns and messages read plain text. */
function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/**
 * The line of a wrangler failure worth showing: its `[ERROR]` line without the marker, else the first
 * non-empty line; at most 200 characters.
 *
 * @example
 * firstErrorLine('✘ [ERROR] A request to the Cloudflare API failed.\n...') // 'A request to the Cloudflare API failed.'
 */
export function firstErrorLine(text: string): string {
  const lines = plain(text)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const error = lines.find((line) => line.includes('[ERROR]'));
  const line = (error ?? lines[0] ?? 'wrangler failed without a message').replace(/^.*?\[ERROR\]\s*/, '');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** Whether wrangler's output says it has no credentials (the process may still have exited 0: `whoami`). */
export function saysNotLoggedIn(output: WranglerOutput): boolean {
  return notLoggedIn.test(plain(output.all));
}

/**
 * Reads `wrangler secret list --format json`: the names when the Worker exists, `not-deployed` when wrangler
 * says it does not exist yet, `unknown` with a short reason otherwise (not logged in, network, unreadable).
 */
export function readSecretList(output: WranglerOutput): RemoteState {
  if (output.exitCode !== 0) {
    const text = plain(output.all);
    if (workerNotFound.test(text)) return { kind: 'not-deployed' };
    if (notLoggedIn.test(text)) return { kind: 'unknown', why: 'wrangler is not logged in' };
    return { kind: 'unknown', why: firstErrorLine(text) };
  }
  // The JSON is printed with logger.log and no banner; anything before its first '[' is not ours to read.
  const start = output.stdout.indexOf('[');
  try {
    const entries: unknown = JSON.parse(start >= 0 ? output.stdout.slice(start) : output.stdout);
    if (!Array.isArray(entries) || !entries.every((entry) => typeof (entry as { name?: unknown })?.name === 'string')) {
      return { kind: 'unknown', why: 'wrangler secret list printed JSON of another shape' };
    }
    return { kind: 'exists', names: new Set(entries.map((entry) => (entry as { name: string }).name)) };
  } catch {
    return { kind: 'unknown', why: 'wrangler secret list printed something other than JSON' };
  }
}

/**
 * Why a `wrangler secret bulk` or `secret delete` call did not do its work, or undefined when it did. A bulk
 * call that could not read its input exits 0 having uploaded nothing, so the exit code alone is not enough.
 */
export function wranglerWriteFailure(output: WranglerOutput): string | undefined {
  const text = plain(output.all);
  if (output.exitCode !== 0) return notLoggedIn.test(text) ? 'wrangler is not logged in' : firstErrorLine(text);
  if (nothingUploaded.test(text)) return 'wrangler read no secrets from its input; nothing was uploaded';
  return undefined;
}
