import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, snapshotTree } from './support/cli.js';

// Each case: arguments after `init-worker`, the field the one-line message must name, and optional setup.
interface BadInputCase {
  name: string;
  args: string[];
  field: RegExp;
  setup?: (dir: string) => Promise<void>;
}

const cases: BadInputCase[] = [
  { name: 'name with spaces', args: ['--name', 'my api', '--yes'], field: /--name/ },
  { name: 'uppercase name', args: ['--name', 'MyApi', '--yes'], field: /--name/ },
  { name: 'name with ..', args: ['--name', '..', '--yes'], field: /--name/ },
  { name: 'name with a leading dash', args: ['--name=-api', '--yes'], field: /--name/ },
  { name: 'unknown worker', args: ['demo', '--workers', 'api,gateway', '--yes'], field: /--workers: 'gateway'/ },
  { name: 'unknown feature', args: ['demo', '--features', 'ai,video', '--yes'], field: /--features: 'video'/ },
  { name: 'sender without receiver', args: ['demo', '--workers', 'sender', '--yes'], field: /--workers: sender forwards to receiver/ },
  { name: 'malformed origin', args: ['demo', '--origins', 'app.example.com', '--yes'], field: /--origins/ },
  { name: 'origin with a path', args: ['demo', '--origins', 'https://app.example.com/login', '--yes'], field: /--origins/ },
  { name: 'wildcard origin', args: ['demo', '--origins', '*', '--yes'], field: /--origins: '\*' is a wildcard/ },
  {
    name: 'development origin for deployed environments',
    args: ['demo', '--origins', 'http://localhost:3000', '--yes'],
    field: /--origins: 'http:\/\/localhost:3000' is a development origin/,
  },
  { name: 'bad account id', args: ['demo', '--account-id', '12345', '--yes'], field: /--account-id/ },
  { name: 'bad bucket', args: ['demo', '--bucket', 'A_Bucket', '--yes'], field: /--bucket/ },
  { name: 'unknown identity provider', args: ['demo', '--identity', 'auth0', '--yes'], field: /--identity/ },
  { name: 'unknown JWT algorithm', args: ['demo', '--jwt-alg', 'none', '--yes'], field: /--jwt-alg/ },
  { name: 'unknown config format', args: ['demo', '--config-format', 'yaml', '--yes'], field: /--config-format/ },
  { name: 'bad environment name', args: ['demo', '--envs', 'Prod', '--yes'], field: /--envs/ },
  { name: 'unreadable answers file', args: ['demo', '--answers', 'missing.json'], field: /--answers: cannot read missing\.json/ },
  {
    name: 'answers file that is not JSON',
    args: ['demo', '--answers', 'answers.json'],
    field: /--answers: answers\.json is not valid JSON/,
    setup: (dir) => writeFile(join(dir, 'answers.json'), '{ name: demo'),
  },
  {
    name: 'answers file with an invalid answer',
    args: ['demo', '--answers', 'answers.json', '--yes'],
    field: /--bucket/,
    setup: (dir) => writeFile(join(dir, 'answers.json'), JSON.stringify({ bucket: 'x' })),
  },
  {
    name: 'answers file with an unknown key',
    args: ['demo', '--answers', 'answers.json', '--yes'],
    field: /'colour' is not an answer/,
    setup: (dir) => writeFile(join(dir, 'answers.json'), JSON.stringify({ colour: 'blue' })),
  },
  {
    name: 'target path is a file',
    args: ['taken', '--yes'],
    field: /\[dir\]: .*taken is a file/,
    setup: (dir) => writeFile(join(dir, 'taken'), 'not a directory'),
  },
  {
    name: 'non-empty target without --force',
    args: ['busy', '--yes'],
    field: /\[dir\]: .*busy is not empty/,
    setup: async (dir) => {
      await mkdir(join(dir, 'busy'));
      await writeFile(join(dir, 'busy', 'notes.txt'), 'ours');
    },
  },
  { name: 'no terminal and no --yes', args: ['demo'], field: /missing answers: --workers, --identity/ },
  { name: 'unknown flag', args: ['demo', '--colour', 'blue', '--yes'], field: /unknown option '--colour'/ },
];

describe('init-worker refuses bad input with exit 2, one message, and nothing written', () => {
  let workspace: { dir: string; remove: () => Promise<void> };
  beforeAll(async () => {
    workspace = await makeTempDir();
  });
  afterAll(() => workspace.remove());

  it.each(cases)('$name', async ({ name, args, field, setup }) => {
    const cwd = join(workspace.dir, name.replace(/[^a-z0-9]+/gi, '-'));
    await mkdir(cwd);
    await setup?.(cwd);
    const before = await snapshotTree(cwd);
    const result = await runCli(['init-worker', ...args, '--no-install', '--no-git'], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(field);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await snapshotTree(cwd)).toEqual(before);
  });
});
