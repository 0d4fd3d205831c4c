import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { defaultAnswers, workerNames, type WorkerName } from './generators/answers.js';
import { manifestFromAnswers } from './generators/manifest.js';
import { templateContext } from './generators/project-files.js';
import { renderTemplate } from './generators/render.js';
import { buildWranglerConfig, renderWranglerConfig } from './generators/wrangler-config.js';

/**
 * The Worker templates are tested as they are, inside workerd: each template folder gets the
 * `wrangler.jsonc` and `vitest.config.ts` that `init-worker --yes` would write beside it (git-ignored),
 * and becomes a vitest project of its own.
 */
const templateManifest = manifestFromAnswers({ ...defaultAnswers('tpl'), features: ['ai', 'images', 'stream'] });

function writeIfChanged(path: string, content: string): void {
  if (!existsSync(path) || readFileSync(path, 'utf8') !== content) writeFileSync(path, content);
}

function prepareTemplate(worker: WorkerName): string {
  const dir = resolve('templates/workers', worker);
  const context = { ...templateContext(templateManifest), worker, testNamePrefix: 'template:' };
  writeIfChanged(resolve(dir, 'wrangler.jsonc'), renderWranglerConfig(buildWranglerConfig(templateManifest, worker), 'jsonc'));
  const hbsPath = resolve(dir, 'vitest.config.ts.hbs');
  writeIfChanged(resolve(dir, 'vitest.config.ts'), renderTemplate(hbsPath, readFileSync(hbsPath, 'utf8'), context));
  return resolve(dir, 'vitest.config.ts');
}

export default defineConfig({
  test: {
    // Worker log lines (one JSON line per request) are shown only for failing tests.
    silent: 'passed-only',
    projects: [
      {
        test: {
          name: 'unit',
          include: ['generators/**/*.test.ts', 'cli/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 900_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
      ...workerNames.map(prepareTemplate),
    ],
  },
});
