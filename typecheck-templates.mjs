// Type-checks the Worker templates as a generated project would: each Worker is its own TypeScript program with
// the Env types `wrangler types` writes from its wrangler config (four `worker-configuration.d.ts` in one program
// would collide). The configs are the ones `init-worker --yes` writes with every feature on
// (generators/template-fixtures.ts); the types come from the same script a generated project runs.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { workerTypes } from './templates/project/scripts/types.mjs';

const run = promisify(execFile);
mkdirSync('.cache', { recursive: true });
const bundle = resolve('.cache/template-fixtures.mjs');
await build({
  entryPoints: ['generators/template-fixtures.ts'],
  outfile: bundle,
  bundle: true,
  format: 'esm',
  platform: 'node',
  packages: 'external',
  logLevel: 'warning',
});
const { templateFixtureFiles } = await import(pathToFileURL(bundle).href);
const workers = ['auth-shim', 'api', 'sender', 'receiver'];

await Promise.all(
  workers.map(async (worker) => {
    const dir = resolve('templates/workers', worker);
    const hbsPath = join(dir, 'vitest.config.ts.hbs');
    for (const [name, content] of Object.entries(templateFixtureFiles(worker, { path: hbsPath, text: readFileSync(hbsPath, 'utf8') }))) {
      const path = join(dir, name);
      if (!existsSync(path) || readFileSync(path, 'utf8') !== content) writeFileSync(path, content);
    }
    await workerTypes(dir);
  }),
);

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const programs = [
  'templates/tsconfig.json',
  ...workers.map((worker) => `templates/workers/${worker}/tsconfig.json`),
  ...workers.map((worker) => `templates/workers/${worker}/test/support/tsconfig.json`).filter((path) => existsSync(path)),
];
let failed = false;
// Two at a time: each program is one tsc process.
const queue = [...programs];
await Promise.all(
  [0, 1].map(async () => {
    for (let program = queue.shift(); program; program = queue.shift()) {
      try {
        // The repository is stricter than a generated project about unused code in its templates.
        await run(process.execPath, [tsc, '-p', program, '--noEmit', '--noUnusedLocals']);
      } catch (error) {
        failed = true;
        console.error(`${program}:\n${error.stdout}${error.stderr}`);
      }
    }
  }),
);
if (failed) process.exit(1);
