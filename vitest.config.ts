import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { workerNames, type WorkerName } from './generators/answers.js';
import { templateFixtureFiles } from './generators/template-fixtures.js';

function writeIfChanged(path: string, content: string): void {
  if (!existsSync(path) || readFileSync(path, 'utf8') !== content) writeFileSync(path, content);
}

/** Each Worker template becomes a vitest project of its own, run inside workerd (generators/template-fixtures.ts). */
function prepareTemplate(worker: WorkerName): string {
  const dir = resolve('templates/workers', worker);
  const hbsPath = resolve(dir, 'vitest.config.ts.hbs');
  const files = templateFixtureFiles(worker, { path: hbsPath, text: readFileSync(hbsPath, 'utf8') });
  for (const [name, content] of Object.entries(files)) writeIfChanged(resolve(dir, name), content);
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
          include: ['generators/**/*.test.ts', 'cli/**/*.test.ts', 'emulator/**/*.test.ts'],
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
