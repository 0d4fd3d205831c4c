import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse as parseJsonc } from 'comment-json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from './support/cli.js';

/** The parts of the api Worker's wrangler.jsonc these tests read. */
type EdgeApiBlock = { ratelimits?: unknown };
type EdgeApiConfig = EdgeApiBlock & {
  vars: Record<string, string>;
  durable_objects?: unknown;
  env: { staging: EdgeApiBlock; production: EdgeApiBlock };
};

// `init-worker --rate-limiter edge`: the api Worker counts with Workers Rate Limiting bindings instead of the
// RateLimiter Durable Object. The generated project's own tests run it in workerd with the real (local) binding.
describe('init-worker --rate-limiter edge', () => {
  let workspace: { dir: string; remove: () => Promise<void> };
  let project: string;
  let init: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    workspace = await makeTempDir();
    project = join(workspace.dir, 'edgy');
    init = await runCli(['init-worker', 'edgy', '--yes', '--workers', 'api', '--rate-limiter', 'edge', '--no-git'], { cwd: workspace.dir });
  });
  afterAll(() => workspace.remove());

  it('records the choice and writes the bindings instead of the Durable Object', async () => {
    expect(init.stderr).toBe('');
    expect(init.exitCode).toBe(0);
    const manifest = JSON.parse(await readFile(join(project, 'appshell.json'), 'utf8'));
    expect(manifest.rateLimiter).toBe('edge');
    const config = parseJsonc(await readFile(join(project, 'workers/api/wrangler.jsonc'), 'utf8')) as unknown as EdgeApiConfig;
    expect(config.vars.RATE_LIMITER_MODE).toBe('edge');
    expect(config.durable_objects).toBeUndefined();
    for (const block of [config, config.env.staging, config.env.production]) {
      expect(block.ratelimits).toEqual([
        { name: 'RATE_LIMIT_EDGE_100', namespace_id: expect.stringMatching(/^\d+$/), simple: { limit: 100, period: 60 } },
      ]);
    }
    const readme = await readFile(join(project, 'README.md'), 'utf8');
    expect(readme).toContain('## Rate limits');
    expect(readme).toMatch(/edge.*not/is);
  });

  it("passes the generated project's own tests, the real edge binding included", async () => {
    const result = await execa('npm', ['test'], {
      cwd: project,
      reject: false,
      all: true,
      env: { CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/edge-rate-limit\.test\.ts \(\d+ tests?\)/);
    expect(result.all).not.toMatch(/edge-rate-limit\.test\.ts \(\d+ tests? \| \d+ skipped\)/);
  });

  it('bundles for a deployed environment with wrangler deploy --dry-run', async () => {
    const result = await execa('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', join(workspace.dir, 'bundle'), '--env=production'], {
      cwd: join(project, 'workers', 'api'),
      reject: false,
      all: true,
      env: { WRANGLER_SEND_METRICS: 'false' },
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('RATE_LIMIT_EDGE_100');
  });
});
