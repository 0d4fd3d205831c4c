#!/usr/bin/env node
// The appshell program: a table of contents. Command modules load on demand, so `--help` stays fast.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { handleError } from './errors.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('appshell')
  .description('Scaffold, grow and ship a secure set of Cloudflare Workers for an app backend')
  .version(version)
  .exitOverride()
  .showHelpAfterError('(run appshell --help for usage)');

program
  .command('init-worker')
  .description('scaffold auth-shim, api, sender and receiver Workers into a new project')
  .argument('[dir]', 'target directory (default: the project name)')
  .option('--name <name>', 'project name: lowercase letters, digits and dashes (default: the directory name)')
  .option('--workers <list>', 'Workers to generate: any of auth-shim,api,sender,receiver (default: all)')
  .option('--account-id <id>', 'Cloudflare account id (32 hexadecimal characters)')
  .option('--bucket <name>', 'R2 bucket for uploads (default: <name>-uploads)')
  .option('--identity <provider>', 'identity provider: instant or supabase (default: instant)')
  .option('--instant-app-id <uuid>', 'InstantDB app id')
  .option('--supabase-url <url>', 'Supabase project URL (https)')
  .option('--jwt-alg <alg>', 'session JWT algorithm: HS256 or EdDSA (default: HS256)')
  .option('--issuer <iss>', 'session JWT issuer (default: <name>-auth-shim)')
  .option('--audience <aud>', 'session JWT audience (default: <name>-api)')
  .option('--origins <list>', 'CORS allow-list: comma list of origins such as https://app.example.com')
  .option('--features <list>', 'optional API features: any of ai,images,stream')
  .option('--envs <list>', 'deployed environments (default: staging,production)')
  .option('--config-format <format>', 'wrangler config format: jsonc or toml (default: jsonc)')
  .option('--answers <file.json>', 'read answers from a JSON file (flags win over it)')
  .option('--no-install', 'do not run npm install')
  .option('--no-git', 'do not initialise a git repository')
  .option('-y, --yes', 'take the defaults for everything not given; never prompt')
  .option('--dry-run', 'print the plan and write nothing')
  .option('--force', 'write into a non-empty directory and overwrite files changed since appshell wrote them')
  .action(async (dir: string | undefined, flags) => {
    const { runInitWorker } = await import('./init-worker.js');
    await runInitWorker(dir, flags);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = handleError(error);
}
