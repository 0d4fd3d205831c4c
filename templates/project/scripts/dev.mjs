// Runs every Worker of this project with `wrangler dev`, each on its fixed port. Workers reach each other's
// service bindings through wrangler's local dev registry. Ctrl-C stops them all.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'appshell.json'), 'utf8'));
const ports = { 'auth-shim': 8787, api: 8788, sender: 8789, receiver: 8790 };
const configFile = manifest.configFormat === 'toml' ? 'wrangler.toml' : 'wrangler.jsonc';
const wrangler = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'wrangler.cmd' : 'wrangler');

const children = manifest.workers.map((worker, index) => {
  const port = ports[worker];
  console.log(`${worker.padEnd(10)} http://127.0.0.1:${port}`);
  const child = spawn(
    wrangler,
    ['dev', '--config', configFile, '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(9230 + index)],
    { cwd: join(root, 'workers', worker), stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`${worker} stopped (exit ${code}); stopping the others`);
      stop(code ?? 1);
    }
  });
  return child;
});

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
