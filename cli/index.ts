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
  .option(
    '--origins <list>',
    "CORS allow-list of the deployed environments: your app's origins such as https://app.example.com (default: none)",
  )
  .option('--dev-origins <list>', 'CORS allow-list of local development (default: http://localhost:3000)')
  .option('--features <list>', 'optional API features: any of ai,images,stream')
  .option('--envs <list>', 'deployed environments (default: staging,production)')
  .option('--config-format <format>', 'wrangler config format: jsonc or toml (default: jsonc)')
  .option('--toolchain <name>', 'pinned tool versions: current (Node 22.12+) or node20 (default: what this Node runs)')
  .option(
    '--rate-limiter <kind>',
    'API per-user limiter: exact (a Durable Object per user) or edge (Workers Rate Limiting binding, approximate) (default: exact)',
  )
  .option('--ci <provider>', 'write a deployment workflow: github or none (default: none)')
  .option('--answers <file.json>', 'read answers from a JSON file (flags win over it)')
  .option('--no-install', 'do not run npm install')
  .option('--no-git', 'do not initialise a git repository')
  .option('-y, --yes', 'take the defaults for everything not given; never prompt')
  .option('--dry-run', 'print the plan and write nothing')
  .option('--force', 'write into a non-empty directory and overwrite files changed since appshell wrote them')
  .option('--verbose', 'list every file of the plan (default: a count per Worker)')
  .action(async (dir: string | undefined, flags) => {
    const { runInitWorker } = await import('./init-worker.js');
    await runInitWorker(dir, flags);
  });

program
  .command('deploy')
  .description('deploy every Worker, each after the Workers it binds, through wrangler')
  .option('--env <name>', 'environment to deploy (required), e.g. production')
  .option('--only <list>', 'deploy only these Workers (comma list), still in dependency order')
  .option('--dry-run', 'bundle every Worker with wrangler deploy --dry-run and check its size; upload nothing')
  .option('--plan <plan>', 'account plan whose bundle size limit applies: free (3 MB gzip) or paid (10 MB)', 'free')
  .option('--from-env', 'a first deploy carries its provided secrets: take them from environment variables of the same name')
  .option('--from-file <file>', 'a first deploy carries its provided secrets: take them from a .env file (NAME=value lines)')
  .option('--json', 'print the result as one JSON object')
  .option('-y, --yes', 'do not ask for confirmation')
  .option(
    '--rehearse',
    'deploy with the real wrangler to an emulated Cloudflare account on this machine, then run a smoke flow; nothing leaves the machine',
  )
  .option(
    '--rehearse-state <dir>',
    'with --rehearse: keep the emulated account in this folder between runs (a second deploy), e.g. .rehearsal/staging',
  )
  .action(async (flags) => {
    if (flags.rehearse || flags.rehearseState) {
      const { runDeployRehearse } = await import('./deploy-rehearse.js');
      await runDeployRehearse(flags);
      return;
    }
    const { runDeploy } = await import('./deploy.js');
    await runDeploy(flags);
  });

program
  .command('config')
  .description("set a value of appshell.json that a deploy needs, and write it into the Workers' configs")
  .command('set')
  .description('set <field> (accountId, identity.instantAppId, identity.supabaseUrl, origins.<env>) to <value>')
  .argument('<field>', 'the appshell.json field, e.g. accountId or origins.production')
  .argument('<value>', 'the value (origins: a comma list; empty string: unset)')
  .option('--dry-run', 'print the plan and write nothing')
  .option('--force', 'overwrite wrangler configs changed since appshell wrote them')
  .action(async (field: string, value: string, flags) => {
    const { runConfigSet } = await import('./config.js');
    await runConfigSet(field, value, flags);
  });

program
  .command('add-route')
  .description('add an extension route to the api Worker (or an action to the receiver with --worker receiver)')
  .argument('[path]', 'route path such as /v1/invoices/:id (or an action name with --worker receiver)')
  .option('--methods <list>', 'methods: any of GET,POST,PUT,PATCH,DELETE (default: GET)')
  .option('--public', 'no token needed (receiver: an action without a signed-in user)')
  .option('--roles <list>', 'the caller needs one of these roles')
  .option('--rate-limit <n>', 'requests per minute for this route (per user; per IP when public)')
  .option('--description <text>', 'one line for the handler and the OpenAPI document')
  .option('--worker <worker>', 'api (default) or receiver')
  .option('--requires-user', 'receiver action that needs a signed-in user (the default; --public opts out)')
  .option('--sync', 'rewrite the registries and openapi.json from appshell.json (after editing its routes or actions)')
  .option('--dry-run', 'print the plan and write nothing')
  .option('--force', 'overwrite generated files changed since appshell wrote them (never your handlers)')
  .action(async (path: string | undefined, flags) => {
    const { runAddRoute } = await import('./add-route.js');
    await runAddRoute(path, flags);
  });

program
  .command('openapi')
  .description('write the OpenAPI 3.1 document of every route (auth-shim, api, sender)')
  .option('--out <file>', 'where to write it (default: openapi.json at the project root; - for stdout)')
  .option('--dry-run', 'say what would change and write nothing')
  .action(async (flags) => {
    const { runOpenApi } = await import('./openapi.js');
    await runOpenApi(flags);
  });

program
  .command('upgrade')
  .description("bring this appshell's templates into the project, merged with your changes (three-way)")
  .option('--dry-run', 'print what happens to each file (update, merge, keep, create, remove, conflict) and write nothing')
  .option('--json', 'print the plan as one JSON object')
  .option('-y, --yes', 'do not ask for confirmation')
  .option('--continue', 'after resolving conflict markers: check none is left and finish the upgrade')
  .action(async (flags) => {
    const { runUpgrade } = await import('./upgrade.js');
    await runUpgrade(flags);
  });

program
  .command('diff')
  .description('show what you changed since appshell last wrote each file (a unified diff)')
  .argument('[path]', 'one file or folder of the project (default: all)')
  .action(async (path: string | undefined) => {
    const { runDiff } = await import('./diff.js');
    await runDiff(path);
  });

program
  .command('dev')
  .description('run every Worker locally (fixed ports, service bindings, a local identity stand-in)')
  .action(async (flags) => {
    const { runDev } = await import('./dev.js');
    await runDev(flags);
  });

program
  .command('secrets')
  .description('plan, check, push, rotate or write locally the secrets each Worker needs, per environment')
  .option('--env <name>', 'environment (the plan shows every environment without it; required by --push and rotations)')
  .option('--json', 'print the result as JSON (names and statuses, never a value)')
  .option('--check', 'exit 1 when a required secret is missing or wrangler cannot tell (for CI)')
  .option('--push', 'generate what appshell generates, take what you provide, and push with one wrangler secret bulk per Worker')
  .option('--from-env', 'take provided secrets from environment variables of the same name')
  .option('--from-file <file>', 'take provided secrets from a .env file (NAME=value lines)')
  .option(
    '--rotate <name>',
    'add a new value beside the current one (SIGNING_SECRETS, SESSION_JWT_SECRET, SESSION_JWT_PRIVATE_JWK); both are accepted',
  )
  .option(
    '--finish-rotation [name]',
    'remove the old value of a rotation once nothing uses it (the name may be left out when only one is in progress)',
  )
  .option('--local', 'write .dev.vars for every Worker (mode 0600) for wrangler dev and appshell dev')
  .option('--force', 'with --local: replace values already in .dev.vars')
  .option('--dry-run', 'say what would be pushed, removed or written, and do nothing')
  .option('-y, --yes', 'never prompt; with --push, agree to give a shared group a new value on every Worker')
  .action(async (flags) => {
    const { runSecrets } = await import('./secrets.js');
    await runSecrets(flags);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = handleError(error);
}
