// Test-suite benchmark (issue: the suites are red): how long a freshly scaffolded project's `npm test` takes, per
// Worker project (vitest's own `import` and `tests` seconds) and in all, optionally while another process keeps one
// core busy, and optionally the repository's `CI=true bash .ci/run` from a clean clone.
//
// Usage: npm run build && node bench/test-suites.mjs [--runs 3] [--load] [--cli dist/cli/index.js] [--label after]
//        [--repo] [--write]
//   --cli    the appshell to scaffold with (point it at another checkout's build to measure "before")
//   --load   a busy loop on one core for the whole measurement (`node -e 'while(true){}'`), stopped afterwards
//   --repo   also time `CI=true bash .ci/run` in a clean clone of this repository (minutes per run), or of the
//            checkout named by --source
//   --write  puts the table into bench/README.md under the label (default "after")
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const runs = Number(option('--runs', '1'));
const cli = resolve(option('--cli', join(root, 'dist/cli/index.js')));
const label = option('--label', 'after');
const source = resolve(option('--source', root));
const workers = ['auth-shim', 'api', 'sender', 'receiver'];

/** Runs a command to completion; returns wall seconds, exit code and the output with colours stripped. */
function run(command, args, cwd, env = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const output = `${result.stdout}${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  return { seconds, status: result.status, output };
}

/** vitest's closing lines: `Tests  447 passed (447)` and `Duration 42.5s (transform …, import 9.3s, tests 21.1s, …)`. */
function vitestFigures(output) {
  const seconds = (field) => {
    const match = new RegExp(`${field} ([0-9.]+)(ms|s)`).exec(output.slice(output.lastIndexOf('Duration')));
    return match ? Number(match[1]) / (match[2] === 'ms' ? 1000 : 1) : NaN;
  };
  const tests = /Tests\s+(.+)$/m.exec(output)?.[1]?.trim() ?? '(no summary)';
  return { import: seconds('import'), tests: seconds('tests'), summary: tests };
}

function startLoad() {
  if (!argv.includes('--load')) return () => {};
  const child = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  return () => child.kill('SIGKILL');
}

const scratch = mkdtempSync(join(tmpdir(), 'appshell-suites-'));
const stopLoad = startLoad();
const rows = [];
let failed = false;
try {
  const init = run(process.execPath, [cli, 'init-worker', 'demo', '--yes', '--no-git'], scratch);
  if (init.status !== 0) throw new Error(`init-worker failed:\n${init.output}`);
  const project = join(scratch, 'demo');
  for (let index = 1; index <= runs; index += 1) {
    // Per Worker project once (the split of the time); the whole `npm test` on every run.
    for (const worker of index === 1 ? workers : []) {
      const result = run('npx', ['vitest', 'run', '--project', worker], project);
      const figures = vitestFigures(result.output);
      failed ||= result.status !== 0;
      rows.push({ run: index, what: `generated: ${worker}`, ...figures, wall: result.seconds, status: result.status });
    }
    const whole = run('npm', ['test'], project);
    failed ||= whole.status !== 0;
    rows.push({ run: index, what: 'generated: npm test', ...vitestFigures(whole.output), wall: whole.seconds, status: whole.status });
    if (argv.includes('--repo')) {
      const clone = join(scratch, `repo-${index}`);
      run('git', ['clone', '-q', source, clone], scratch);
      const ci = run('bash', ['.ci/run'], clone, { CI: 'true' });
      failed ||= ci.status !== 0;
      rows.push({ run: index, what: 'repository: CI=true bash .ci/run', ...vitestFigures(ci.output), wall: ci.seconds, status: ci.status });
      rmSync(clone, { recursive: true, force: true });
    }
  }
} finally {
  stopLoad();
  rmSync(scratch, { recursive: true, force: true });
}

const fmt = (value) => (Number.isNaN(value) ? '–' : value.toFixed(1));
const table = [
  `${label}: Node ${process.version}, ${runs} run(s)${argv.includes('--load') ? ', one core kept busy by another process' : ', idle machine'};`,
  `\`node bench/test-suites.mjs ${argv.filter((arg) => arg !== '--write').join(' ')}\`.`,
  "import / tests: vitest's own figures (for the repository, those of its last vitest run, the e2e suite).",
  '',
  '| run | suite | import s | tests s | wall s | result |',
  '| ---: | --- | ---: | ---: | ---: | --- |',
  ...rows.map(
    (row) =>
      `| ${row.run} | ${row.what} | ${fmt(row.import)} | ${fmt(row.tests)} | ${fmt(row.wall)} | ${row.status === 0 ? row.summary : `FAILED (exit ${row.status}): ${row.summary}`} |`,
  ),
].join('\n');
console.log(table);
if (argv.includes('--write')) {
  const readmePath = join(root, 'bench/README.md');
  const begin = `<!-- test-suites-${label}:begin -->`;
  const end = `<!-- test-suites-${label}:end -->`;
  const readme = readFileSync(readmePath, 'utf8');
  if (!readme.includes(begin)) throw new Error(`bench/README.md has no ${begin} … ${end} block`);
  writeFileSync(readmePath, readme.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${table}\n${end}`));
}
process.exitCode = failed ? 1 : 0;
