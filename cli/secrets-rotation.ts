import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestFileName, renderManifest, type ProjectManifest } from '../generators/manifest.js';
import { planFiles } from '../generators/plan.js';
import { scriptName, workerDescriptors } from '../generators/workers/index.js';
import { configFileName } from '../generators/wrangler-config.js';
import { applyPlan } from './apply.js';
import { listRemoteSecrets } from './deploy-secrets.js';
import { diskTree } from './disk-tree.js';
import { CliError, usageError } from './errors.js';
import { print } from './output.js';
import type { LoadedProject } from './project.js';
import { generateSecretValue } from './secret-values.js';
import { runWrangler, type WranglerCommand } from './wrangler.js';

/** The deployed Workers that read a rotatable secret, receivers (which must accept a key) before senders. */
function holders(manifest: ProjectManifest, name: string) {
  const workers = manifest.workers
    .map((worker) => ({ worker, secret: workerDescriptors[worker].bindings(manifest).secrets.find((s) => s.name === name) }))
    .filter((entry) => entry.secret !== undefined);
  if (workers.length === 0) throw usageError(`--rotate: no Worker of this project reads ${name}`);
  const slot = workers[0]!.secret!.rotationSlot;
  if (!slot) {
    const rotatable = manifest.workers.flatMap((w) => workerDescriptors[w].bindings(manifest).secrets.filter((s) => s.rotationSlot).map((s) => s.name));
    throw usageError(`--rotate: ${name} cannot be rotated by appshell yet; allowed: ${[...new Set(rotatable)].join(', ') || 'none'}`);
  }
  return { slot, workers: workers.map((entry) => entry.worker).sort((a, b) => Number(a !== 'receiver') - Number(b !== 'receiver')) };
}

async function saveRotations(project: LoadedProject, rotations: ProjectManifest['rotations']): Promise<void> {
  const manifest = { ...project.manifest, rotations };
  const text = await readFile(join(project.root, manifestFileName), 'utf8');
  if (text === renderManifest(manifest)) return;
  const files = planFiles([{ path: manifestFileName, content: renderManifest(manifest), merged: true }], diskTree(project.root), { force: false });
  await applyPlan({ root: project.root, newProject: false, files });
}

async function bulk(wrangler: WranglerCommand, project: LoadedProject, worker: string, env: string, values: Record<string, string | null>): Promise<void> {
  const configPath = `workers/${worker}/${configFileName(project.manifest.configFormat)}`;
  const result = await runWrangler(wrangler, ['secret', 'bulk', '--config', configPath, '--env', env], { cwd: project.root, input: JSON.stringify(values) });
  if (result.exitCode !== 0) throw new CliError(`wrangler secret bulk failed for ${configPath} (--env ${env}):\n${result.all.trim()}`);
}

/**
 * `appshell secrets --rotate <NAME> --env <env>`: a new value goes into the Worker's second slot (for signing
 * secrets `SIGNING_SECRETS_NEXT`), which every reader accepts beside the current one; the slot is recorded in
 * appshell.json (its name, not its value). `--finish-rotation` deletes the old slot, senders first.
 */
export async function runRotation(project: LoadedProject, wrangler: WranglerCommand, name: string, env: string, finish: boolean): Promise<void> {
  const { manifest } = project;
  const { slot, workers } = holders(manifest, name);
  const inProgress = manifest.rotations[env]?.[name];
  if (finish) {
    if (!inProgress) throw usageError(`--finish-rotation: no rotation of ${name} is in progress for --env ${env}`);
    const old = inProgress === slot ? name : slot;
    for (const worker of [...workers].reverse()) {
      await bulk(wrangler, project, worker, env, { [old]: null });
      print(`  removed the old ${name} (${old}) from ${scriptName(manifest.name, worker, env)}`);
    }
    const { [name]: _done, ...rest } = manifest.rotations[env] ?? {};
    await saveRotations(project, { ...manifest.rotations, [env]: rest });
    print(`Rotation of ${name} finished for ${env}: only the new value is accepted.`);
    return;
  }
  if (inProgress) throw usageError(`--rotate: a rotation of ${name} is in progress for --env ${env}; run --finish-rotation ${name} first`);
  const states = await Promise.all(
    workers.map(async (worker) => ({ worker, remote: await listRemoteSecrets(wrangler, project.root, `workers/${worker}/${configFileName(manifest.configFormat)}`, env) })),
  );
  const missing = states.filter((state) => !state.remote.exists || (!state.remote.names.has(name) && !state.remote.names.has(slot)));
  if (missing.length > 0) {
    throw new CliError(`${name} is not set on ${missing.map((m) => scriptName(manifest.name, m.worker, env)).join(', ')}: nothing to rotate`, {
      suggestion: `Deploy and run appshell secrets --push --env ${env} first.`,
    });
  }
  const used = states[0]!.remote.exists && states[0]!.remote.names.has(name) ? name : slot;
  const target = used === name ? slot : name;
  const value = generateSecretValue(name);
  for (const { worker } of states) {
    await bulk(wrangler, project, worker, env, { [target]: value });
    print(`  added a new ${name} (${target}) to ${scriptName(manifest.name, worker, env)}`);
  }
  await saveRotations(project, { ...manifest.rotations, [env]: { ...manifest.rotations[env], [name]: target } });
  print(`Both the old and the new ${name} are accepted now (the new one signs). Once nothing signed with the old one`);
  print('is still in use (sessions live at most SESSION_TTL_SECONDS), run:');
  print(`  appshell secrets --finish-rotation ${name} --env ${env}`);
}
