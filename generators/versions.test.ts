import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allowScripts, appshellDevDependency, toolchainForNode, toolchains } from './versions.js';

describe('toolchains', () => {
  it('node20 pins exactly what appshell tests its templates with', () => {
    const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const installed = { ...own.dependencies, ...own.devDependencies };
    for (const [name, version] of Object.entries({ ...toolchains.node20.runtime, ...toolchains.node20.tooling })) {
      expect(installed[name], name).toBe(version);
    }
  });

  it('pins the Biome this repository lints with in both sets, so a generated project checks its code as appshell does', () => {
    const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    for (const set of Object.values(toolchains)) expect(set.tooling['@biomejs/biome']).toBe(own.devDependencies['@biomejs/biome']);
  });

  it('denies the same install scripts as the repository, so a clean install runs none and warns of none', () => {
    const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(own.allowScripts).toEqual(allowScripts);
  });

  it('pins every version exactly, and both sets name the same packages', () => {
    for (const set of Object.values(toolchains)) {
      for (const version of Object.values({ ...set.runtime, ...set.tooling })) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(Object.keys(toolchains.current.tooling).sort()).toEqual(Object.keys(toolchains.node20.tooling).sort());
    expect(Object.keys(toolchains.current.runtime).sort()).toEqual(Object.keys(toolchains.node20.runtime).sort());
  });

  it('chooses current from Node 22.12 on, node20 below', () => {
    expect(['20.12.0', '20.20.2', '22.11.0', '21.7.3'].map(toolchainForNode)).toEqual(['node20', 'node20', 'node20', 'node20']);
    expect(['22.12.0', '22.20.0', '23.1.0', '24.22.3', '26.0.0'].map(toolchainForNode)).toEqual([
      'current',
      'current',
      'current',
      'current',
      'current',
    ]);
  });

  it('keeps each compatibility date no later than the workerd it is tested with knows', () => {
    const workerdDate = (version: string) => version.replace(/^1\.(\d{4})(\d{2})(\d{2})\.\d+$/, '$1-$2-$3');
    // The node20 tests run in the plugin's workerd too, which is newer than wrangler 4.86.0's.
    const own = JSON.parse(
      readFileSync(new URL('../node_modules/@cloudflare/vitest-plugin/node_modules/workerd/package.json', import.meta.url), 'utf8'),
    );
    const wranglers = JSON.parse(readFileSync(new URL('../node_modules/wrangler/package.json', import.meta.url), 'utf8'));
    expect(toolchains.node20.compatibilityDate <= workerdDate(wranglers.dependencies.workerd)).toBe(true);
    expect(toolchains.current.compatibilityDate <= workerdDate(own.version)).toBe(true);
  });
});

describe('appshellDevDependency', () => {
  it('pins the exact version of a published appshell, and links a source checkout', () => {
    expect(appshellDevDependency({ version: '0.3.1', root: '/p/node_modules/appshell', installed: true })).toBe('0.3.1');
    expect(appshellDevDependency({ version: '0.3.1', root: '/src/appshell', installed: false })).toBe('file:/src/appshell');
  });
});
