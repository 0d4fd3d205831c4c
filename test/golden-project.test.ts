import { createTwoFilesPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { goldenArgs, goldenProjectDir, readProjectFiles, renderGolden } from '../fixtures/golden/golden.js';
import { cliPath } from './support/cli.js';

// A template or generator change shows as a diff of fixtures/golden/project in review: regenerate it with
// `npm run golden` and commit it beside the change.
describe(`the golden project (appshell ${goldenArgs.join(' ')})`, () => {
  it('is what the built CLI writes, file for file', async () => {
    const [written, golden] = await Promise.all([renderGolden(cliPath), readProjectFiles(goldenProjectDir)]);
    expect(written.size).toBeGreaterThan(100);
    const paths = [...new Set([...written.keys(), ...golden.keys()])].sort();
    const patches = paths
      .filter((path) => written.get(path) !== golden.get(path))
      .map((path) =>
        createTwoFilesPatch(`golden/${path}`, `written/${path}`, golden.get(path) ?? '', written.get(path) ?? '', '', '', { context: 2 }),
      );
    expect(patches.join('\n'), 'the CLI writes a different project: run npm run golden and review the diff').toBe('');
  });
});
