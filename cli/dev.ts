import type { ResultPromise } from 'execa';
import type { WorkerName } from '../generators/answers.js';
import { planDev } from '../generators/dev-plan.js';
import { devPorts } from '../generators/ports.js';
import { startIdentityStandIn, type RunningIdentityStandIn } from './dev-identity.js';
import { CliError } from './errors.js';
import { print } from './output.js';
import { loadProject } from './project.js';
import { ensureLocalDevVars } from './dev-vars.js';
import { findWrangler } from './wrangler.js';

/** `appshell dev` takes no options yet; the ports are fixed (generators/ports.ts). */
export type DevFlags = Record<string, never>;

async function waitForHealth(url: string, child: ResultPromise, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.finally(() => {
    exited = true;
  });
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new CliError(`${url} did not become healthy${exited ? ' (wrangler exited)' : ` within ${timeoutMs / 1000} s`}`);
}

/**
 * `appshell dev`: every Worker under its own `wrangler dev` on a fixed port (wrangler serves only the first of
 * several `--config`s on a port; the others would be reachable only through bindings), service bindings resolved
 * through wrangler's local dev registry, a local identity stand-in, and `.dev.vars` made if missing.
 */
export async function runDev(_flags: DevFlags): Promise<void> {
  const { root, manifest } = await loadProject();
  const wrangler = findWrangler(root);
  await ensureLocalDevVars(root, manifest);
  const { execa } = await import('execa');
  const identity: RunningIdentityStandIn = await startIdentityStandIn();
  print(`identity stand-in (development only) ${identity.url}`);

  const children: { worker: WorkerName; child: ResultPromise }[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const { child } of children) {
      // Each wrangler leads its own process group, so its workerd goes with it.
      if (child.pid) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
    await Promise.allSettled(children.map(({ child }) => child));
    await identity.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const plan = planDev(manifest, { root, identityUrl: identity.url });
  // One after another: the Workers share one local state folder, and workerd processes opening its SQLite
  // files at the same moment can find them locked.
  for (const { worker, dir, args, url } of plan.runs) {
    const child = execa(wrangler.file, args, {
      cwd: `${root}/${dir}`,
      detached: true,
      reject: false,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      env: { WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) print(`[${worker}] ${line}`);
      });
    }
    void child.then((result) => {
      if (!stopping) {
        print(`${worker}: wrangler dev exited (${result.exitCode}); stopping the other Workers`);
        void stop(1);
      }
    });
    children.push({ worker, child });
    try {
      await waitForHealth(url, child, 60_000);
    } catch (error) {
      print((error as Error).message);
      await stop(1);
      return;
    }
  }
  print('');
  for (const worker of manifest.workers) print(`${worker.padEnd(10)} http://127.0.0.1:${devPorts[worker]}`);
  print('');
  for (const line of plan.walkthrough) print(line);
  print('');
  print('Ctrl-C stops every Worker.');
}
