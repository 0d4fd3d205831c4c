// CLI start-up benchmark: `appshell --help` and `appshell init-worker demo --yes --no-install --no-git`
// against bare `node -e 0`, median of RUNS runs each. Goals (issue 2): help <= 1.5x, init <= 3x.
// Usage: npm run build && node bench/cli-startup.mjs [--runs 15] [--write]   (--write updates bench/README.md)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/cli/index.js');
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 15;

function time(args, cwd) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function measure(label, makeArgs) {
  time(...makeArgs(-1)); // warm the file cache
  const samples = Array.from({ length: runs }, (_, index) => time(...makeArgs(index)));
  return { label, median: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

const scratch = mkdtempSync(join(tmpdir(), 'appshell-bench-'));
try {
  const bare = measure('node -e 0', () => [['-e', '0'], root]);
  const help = measure('appshell --help', () => [[cli, '--help'], root]);
  const init = measure('appshell init-worker demo --yes --no-install --no-git', (index) => {
    const cwd = mkdtempSync(join(scratch, `run-${index + 1}-`));
    return [[cli, 'init-worker', 'demo', '--yes', '--no-install', '--no-git'], cwd];
  });
  const rows = [bare, help, init].map((row) => ({ ...row, ratio: row.median / bare.median }));
  const goals = { 'appshell --help': 1.5, 'appshell init-worker demo --yes --no-install --no-git': 3 };
  const table = [
    `Node ${process.version}, ${runs} runs each, median wall time of a whole process (ms).`,
    '',
    '| command | median ms | min | max | × node -e 0 | goal |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((row) => {
      const goal = goals[row.label];
      const verdict = goal === undefined ? '' : `≤ ${goal}× ${row.ratio <= goal ? 'met' : 'MISSED'}`;
      return `| \`${row.label}\` | ${row.median.toFixed(1)} | ${row.min.toFixed(1)} | ${row.max.toFixed(1)} | ${row.ratio.toFixed(2)} | ${verdict} |`;
    }),
  ].join('\n');
  console.log(table);
  if (process.argv.includes('--write')) {
    const readmePath = join(root, 'bench/README.md');
    const readme = readFileSync(readmePath, 'utf8');
    const begin = '<!-- cli-startup:begin -->';
    const end = '<!-- cli-startup:end -->';
    const next = readme.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${table}\n${end}`);
    writeFileSync(readmePath, next);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
