import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, makeTempDir } from './support/cli.js';
import { bulkCalls, secretsProject, sentBy } from './secrets-project.js';

// The prompts need a terminal: util-linux `script` gives the CLI a pseudo-terminal, and the test types into it.
let workspace: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  workspace = await makeTempDir('appshell-secrets-prompt-');
});
afterAll(() => workspace.remove());

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Runs `appshell secrets <args>` in a terminal; each time `answers[i].when` shows up, types `answers[i].keys`. */
async function inTerminal(root: string, env: Record<string, string>, args: string[], answers: { when: RegExp; keys: string }[]) {
  // A pseudo-terminal starts 0 columns wide; give it a size so the prompts draw as they would for a person.
  const command = `stty cols 200 rows 50; exec ${[process.execPath, cliPath, 'secrets', ...args].map(quote).join(' ')}`;
  const child = execa('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: root, env, reject: false, stdin: 'pipe' });
  let screen = '';
  let next = 0;
  child.stdout!.on('data', (chunk: Buffer) => {
    screen += chunk.toString('utf8');
    const answer = answers[next];
    // Read the text without colours and without line breaks (a long message wraps).
    if (answer?.when.test(screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[\r\n]/g, ''))) {
      next++;
      child.stdin!.write(answer.keys);
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const result = await child;
  clearTimeout(timer);
  return { exitCode: result.exitCode, screen, answered: next };
}

describe('appshell secrets --push at a terminal', () => {
  it('asks for a provided secret with a masked prompt and pushes what was typed without showing it', async () => {
    const { root, wrangler, calls, deployAll } = await secretsProject(workspace.dir, 'typed', [
      '--identity',
      'supabase',
      '--supabase-url',
      'https://abcd.supabase.co',
    ]);
    await deployAll('staging');
    const typed = 'typed-anon-key-4e0b9c1d';
    const result = await inTerminal(
      root,
      wrangler.env(),
      ['--push', '--env', 'staging'],
      [{ when: /SUPABASE_ANON_KEY \(input hidden\)/, keys: `${typed}\r` }],
    );
    expect(result.answered, result.screen).toBe(1);
    expect(result.exitCode, result.screen).toBe(0);
    expect(sentBy(await calls())['workers/auth-shim/wrangler.jsonc']!.SUPABASE_ANON_KEY).toBe(typed);
    expect(result.screen).not.toContain(typed);
  });

  it('Ctrl-C at the prompt pushes nothing', async () => {
    const { root, wrangler, calls, deployAll } = await secretsProject(workspace.dir, 'cancelled', [
      '--identity',
      'supabase',
      '--supabase-url',
      'https://abcd.supabase.co',
    ]);
    await deployAll('staging');
    const result = await inTerminal(root, wrangler.env(), ['--push', '--env', 'staging'], [{ when: /input hidden/, keys: '\x03' }]);
    expect(result.exitCode).toBe(1);
    expect(result.screen).toContain('Cancelled; nothing was written.');
    expect(bulkCalls(await calls())).toEqual([]);
  });

  it('asks before replacing the values of a shared group, and pushes nothing when the answer is no', async () => {
    const { root, wrangler, secrets, calls, state, deployAll } = await secretsProject(workspace.dir, 'confirm');
    await deployAll('staging');
    expect((await secrets(['--push', '--env', 'staging'])).exitCode).toBe(0);
    await wrangler.setState({ ...(await state()), 'demo-api-staging': [] });
    await wrangler.reset();
    const declined = await inTerminal(root, wrangler.env(), ['--push', '--env', 'staging'], [{ when: /Continue\?/, keys: 'n\r' }]);
    expect(declined.answered, declined.screen).toBe(1);
    expect(declined.exitCode).toBe(1);
    expect(bulkCalls(await calls())).toEqual([]);
    const accepted = await inTerminal(root, wrangler.env(), ['--push', '--env', 'staging'], [{ when: /Continue\?/, keys: 'y\r' }]);
    expect(accepted.exitCode, accepted.screen).toBe(0);
    expect(bulkCalls(await calls()).map((call) => JSON.parse(call.stdin).SESSION_JWT_SECRET)).toHaveLength(3);
  });
});
