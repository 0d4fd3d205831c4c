import { describe, expect, it } from 'vitest';
import { firstErrorLine, readSecretList, saysNotLoggedIn, wranglerWriteFailure } from './secrets-remote.js';

// The messages below are wrangler 4.86.0's own (src/secret/index.ts, src/user/user.ts, src/user/whoami.ts).
const output = (exitCode: number, stdout: string, stderr = '') => ({ exitCode, stdout, all: `${stdout}${stderr}` });
const notFound =
  '✘ [ERROR] Worker "shop-api-staging" (env: staging) not found.\n\nIf this is a new Worker, run `wrangler deploy` first to create it.\nOtherwise, check that the Worker name is correct and you\'re logged into the right account.\n';
const noToken =
  "\x1b[31m✘ \x1b[41;31m[\x1b[41;97mERROR\x1b[41;31m]\x1b[0m \x1b[1mIn a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment variable for wrangler to work.\x1b[0m\n";

describe('readSecretList', () => {
  it('reads the names of the pretty-printed JSON wrangler prints', () => {
    const state = readSecretList(
      output(
        0,
        JSON.stringify(
          [
            { name: 'A', type: 'secret_text' },
            { name: 'B', type: 'secret_text' },
          ],
          null,
          '  ',
        ),
      ),
    );
    expect(state).toEqual({ kind: 'exists', names: new Set(['A', 'B']) });
    expect(readSecretList(output(0, '[]'))).toEqual({ kind: 'exists', names: new Set() });
  });

  it('knows a Worker that is not deployed yet from wrangler’s message or the API code', () => {
    expect(readSecretList(output(1, '', notFound))).toEqual({ kind: 'not-deployed' });
    expect(
      readSecretList(output(1, '', '✘ [ERROR] A request to the Cloudflare API failed. workers.api.error.script_not_found [code: 10007]')),
    ).toEqual({ kind: 'not-deployed' });
  });

  it('calls the state unknown, with a short reason, when wrangler is not logged in or fails otherwise', () => {
    expect(readSecretList(output(1, '', noToken))).toEqual({ kind: 'unknown', why: 'wrangler is not logged in' });
    expect(readSecretList(output(1, '', '✘ [ERROR] fetch failed\n\nsome stack'))).toEqual({ kind: 'unknown', why: 'fetch failed' });
    // A file called "config not found" is not a Worker that is not found.
    expect(readSecretList(output(1, '', '✘ [ERROR] wrangler.jsonc not found')).kind).toBe('unknown');
    expect(readSecretList(output(0, 'not json')).kind).toBe('unknown');
    expect(readSecretList(output(0, '{"name":"A"}')).kind).toBe('unknown');
  });
});

describe('wranglerWriteFailure', () => {
  it('is silent when the write happened', () => {
    expect(wranglerWriteFailure(output(0, '✨ 2 secrets successfully uploaded'))).toBeUndefined();
    expect(wranglerWriteFailure(output(0, '✨ Success! Deleted secret A'))).toBeUndefined();
  });

  it('catches a bulk call that read nothing and still exited 0', () => {
    expect(wranglerWriteFailure(output(0, '', '🚨 No content found in file, or piped input.'))).toMatch(/nothing was uploaded/);
  });

  it('names the error of a failed call', () => {
    expect(wranglerWriteFailure(output(1, '🚨 Secrets failed to upload\n', '✘ [ERROR] A request to the Cloudflare API (/x) failed.'))).toBe(
      'A request to the Cloudflare API (/x) failed.',
    );
    expect(wranglerWriteFailure(output(1, '', noToken))).toBe('wrangler is not logged in');
  });
});

describe('login and error lines', () => {
  it('sees that whoami found no credentials even though it exits 0', () => {
    expect(saysNotLoggedIn(output(0, 'Getting User settings...\nYou are not authenticated. Please run `wrangler login`.'))).toBe(true);
    expect(saysNotLoggedIn(output(0, 'You are logged in with an API Token, associated with the email dev@example.com.'))).toBe(false);
  });

  it('keeps the error line short', () => {
    expect(firstErrorLine(`✘ [ERROR] ${'x'.repeat(500)}`)).toHaveLength(200);
    expect(firstErrorLine('')).toMatch(/without a message/);
  });
});
