import { CliError } from './errors.js';
import { print } from './output.js';

/** `git init` and a first commit, so the team sees its own changes to the generated files. */
export async function initGitRepository(root: string): Promise<void> {
  // execa loads only when a step needs a process: it costs more start-up than the whole plan.
  const { execa } = await import('execa');
  try {
    await execa('git', ['init', '-q'], { cwd: root });
    await execa('git', ['add', '-A'], { cwd: root });
    const identity = await execa('git', ['config', 'user.email'], { cwd: root, reject: false });
    const author = identity.exitCode === 0 ? [] : ['-c', 'user.name=appshell', '-c', 'user.email=appshell@localhost'];
    await execa('git', [...author, 'commit', '-q', '-m', 'Scaffold Workers with appshell'], { cwd: root });
    print('Initialised a git repository with a first commit.');
  } catch (error) {
    print(`git init skipped: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** `npm install` in the new project, with npm's output shown only on failure. */
export async function installDependencies(root: string): Promise<void> {
  const [prompts, { execa }] = await Promise.all([import('@clack/prompts'), import('execa')]);
  const interactive = Boolean(process.stdout.isTTY);
  const spinner = interactive ? prompts.spinner() : undefined;
  if (spinner) spinner.start('Installing dependencies (npm install)');
  else print('Installing dependencies (npm install)...');
  const result = await execa('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, reject: false, all: true });
  if (result.exitCode !== 0) {
    spinner?.stop('npm install failed');
    throw new CliError(`npm install failed in ${root}:\n${result.all ?? ''}`, {
      suggestion: 'The project is written; fix the cause and run npm install there.',
    });
  }
  if (spinner) spinner.stop('Dependencies installed');
  else print('Dependencies installed.');
}
