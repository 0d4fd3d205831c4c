// Worker bundle sizes: each Worker of the golden project (fixtures/golden/project, `init-worker --yes` with every
// feature) bundled by the real wrangler (`wrangler deploy --dry-run --env production`, what a deploy uploads), raw and gzip, against
// the size goals (every Worker <= 64 KB gzip, the auth shim <= 128 KB: it carries the identity SDK).
// Usage: npm run golden && node bench/bundle-size.mjs [--write]   (--write updates bench/README.md)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const goals = { 'auth-shim': 128 * 1024, api: 64 * 1024, sender: 64 * 1024, receiver: 64 * 1024 };
const wrangler = join(root, 'node_modules/.bin/wrangler');

const scratch = mkdtempSync(join(tmpdir(), 'appshell-bundle-size-'));
const rows = [];
try {
  const project = join(scratch, 'project');
  cpSync(join(root, 'fixtures/golden/project'), project, { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'));
  for (const [worker, goal] of Object.entries(goals)) {
    const output = execFileSync(wrangler, ['deploy', '--dry-run', '--env', 'production', '--outdir', join(scratch, `out-${worker}`)], {
      cwd: join(project, 'workers', worker),
      encoding: 'utf8',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
    if (!match) throw new Error(`${worker}: no size in wrangler's output:\n${output}`);
    const gzip = Number(match[2]) * 1024;
    rows.push({ worker, raw: Number(match[1]), gzip: Number(match[2]), goal, met: gzip <= goal });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const wranglerVersion = execFileSync(wrangler, ['--version'], { encoding: 'utf8' }).trim().split('\n').at(-1);
const table = [
  `wrangler ${wranglerVersion} \`deploy --dry-run\` of fixtures/golden/project (every feature), sizes as wrangler prints them (KiB).`,
  '',
  '| Worker | raw KiB | gzip KiB | goal (gzip) | |',
  '| --- | ---: | ---: | ---: | --- |',
  ...rows.map(
    ({ worker, raw, gzip, goal, met }) =>
      `| ${worker} | ${raw.toFixed(2)} | ${gzip.toFixed(2)} | ≤ ${goal / 1024} KiB | ${met ? 'met' : '**missed**'} |`,
  ),
].join('\n');
console.log(table);

if (process.argv.includes('--write')) {
  const readme = join(root, 'bench/README.md');
  const text = readFileSync(readme, 'utf8');
  const begin = '<!-- bundle-size:begin -->';
  const end = '<!-- bundle-size:end -->';
  if (!text.includes(begin)) throw new Error('bench/README.md has no bundle-size section');
  writeFileSync(readme, text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${table}\n${end}`));
}
if (rows.some((row) => !row.met)) process.exitCode = 1;
