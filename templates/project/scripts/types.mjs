// Each Worker's `Env` comes from its wrangler config: `wrangler types` writes `worker-configuration.d.ts` beside
// it (bindings, vars, and the secrets named in `.dev.vars.example`), and `npm run typecheck` fails when that file
// no longer matches the config. Commit the files; regenerate them with `npm run types` after a config edit.
//
//   node scripts/types.mjs [--check | --if-missing] [worker ...]     (default: every Worker of appshell.json)
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The output file and the flags: one place for both, so `--check` compares with what `npm run types` writes. */
export const typesFile = 'worker-configuration.d.ts';
// The runtime's own types come from @cloudflare/workers-types (tsconfig `types`); vars are typed `string`, so a value
// changed per environment does not change the types.
const flags = ['--env-file', '.dev.vars.example', '--include-runtime=false', '--strict-vars=false'];

function configFileIn(workerDir) {
  const name = ['wrangler.jsonc', 'wrangler.toml'].find((file) => existsSync(join(workerDir, file)));
  if (!name) throw new Error(`${workerDir}: no wrangler.jsonc or wrangler.toml`);
  return name;
}

function installedWrangler(workerDir) {
  const require = createRequire(join(workerDir, 'package.json'));
  const packagePath = require.resolve('wrangler/package.json');
  const pkg = JSON.parse(readFileSync(packagePath, 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.wrangler;
  return { bin: join(dirname(packagePath), bin), version: pkg.version.split('.').map(Number) };
}

function headerHash(text) {
  return /\(hash: ([0-9a-f]+)\)/.exec(text.split('\n', 3).join('\n'))?.[1];
}

/**
 * Writes (or with `check`, verifies) the Env types of the Worker in `workerDir`. Returns `written`, `current`,
 * `stale` or `missing`.
 */
export async function workerTypes(workerDir, { check = false, ifMissing = false } = {}) {
  const target = join(workerDir, typesFile);
  if (ifMissing && existsSync(target)) return 'current';
  if (check && !existsSync(target)) return 'missing';
  const wrangler = installedWrangler(workerDir);
  const args = ['types', '--config', configFileIn(workerDir), ...flags];
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' };
  const wranglerRun = (extra) => run(process.execPath, [wrangler.bin, ...args, ...extra], { cwd: workerDir, env });
  if (!check) {
    await wranglerRun([]);
    return 'written';
  }
  const [major = 0, minor = 0] = wrangler.version;
  if (major > 4 || (major === 4 && minor >= 87)) {
    return wranglerRun(['--check']).then(
      () => 'current',
      () => 'stale',
    );
  }
  // wrangler 4.86 and older drop --env-file under --check and read .dev.vars instead (workers-sdk#13679), so
  // generate beside the real file (imports in it are relative) and compare the hash wrangler puts in its header.
  const probe = join(workerDir, '.types-check.d.ts');
  try {
    await run(process.execPath, [wrangler.bin, 'types', '.types-check.d.ts', ...args.slice(1)], { cwd: workerDir, env });
    return headerHash(readFileSync(probe, 'utf8')) === headerHash(readFileSync(target, 'utf8')) ? 'current' : 'stale';
  } finally {
    rmSync(probe, { force: true });
  }
}

async function main(argv) {
  const check = argv.includes('--check');
  const ifMissing = argv.includes('--if-missing');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const named = argv.filter((arg) => !arg.startsWith('--'));
  const workers = named.length > 0 ? named : JSON.parse(readFileSync(join(root, 'appshell.json'), 'utf8')).workers;
  const results = await Promise.all(
    workers.map(async (worker) => [worker, await workerTypes(join(root, 'workers', worker), { check, ifMissing })]),
  );
  let failed = false;
  for (const [worker, result] of results) {
    if (result === 'stale' || result === 'missing') {
      failed = true;
      console.error(
        `workers/${worker}/${typesFile} ${result === 'stale' ? 'does not match the wrangler config' : 'is missing'}: run \`npm run types\` and commit it.`,
      );
    } else if (result === 'written') {
      console.log(`workers/${worker}/${typesFile} written`);
    }
  }
  if (failed) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  main(argv).catch((error) => {
    console.error(error.stderr?.toString() || error.message);
    // After `npm install` a broken config must not fail the install: `npm run typecheck` reports it.
    if (argv.includes('--if-missing')) console.error('Env types not written; fix the above and run `npm run types`.');
    else process.exitCode = 1;
  });
}
