import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedVersions } from './versions.js';

describe('generatedVersions', () => {
  it('pins exactly what appshell tests its templates with', () => {
    const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const installed = { ...own.dependencies, ...own.devDependencies };
    for (const [name, version] of Object.entries({ ...generatedVersions.runtime, ...generatedVersions.tooling })) {
      expect(installed[name], name).toBe(version);
    }
  });
});
