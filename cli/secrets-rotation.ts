import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkerName } from '../generators/answers.js';
import { manifestFileName, renderManifest, type ProjectManifest } from '../generators/manifest.js';
import { planFiles } from '../generators/plan.js';
import { scriptName, workerDescriptors } from '../generators/workers/index.js';
import { applyPlan } from './apply.js';
import { diskTree } from './disk-tree.js';
import { CliError, usageError } from './errors.js';
import { print } from './output.js';
import type { LoadedProject } from './project.js';
import { generateSecretValue } from './secret-values.js';
import { bulkPut, deleteSecret, listSecretStates } from './secrets-remote.js';
import type { WranglerCommand } from './wrangler.js';

export interface RotationOptions {
  env: string;
  name: string;
  finish: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** The Workers that read a rotatable secret, receivers (which must accept a key first) before senders. */
function holders(manifest: ProjectManifest, name: string): { slot: string; workers: WorkerName[] } {
  const workers = manifest.workers
    .map((worker) => ({ worker, secret: workerDescriptors[worker].bindings(manifest).secrets.find((s) => s.name === name) }))
    .filter((entry) => entry.secret !== undefined);
  const rotatable = [
    ...new Set(
      manifest.workers.flatMap((w) =>
        workerDescriptors[w]
          .bindings(manifest)
          .secrets.filter((s) => s.rotationSlot)
          .map((s) => s.name),
      ),
    ),
  ];
  if (workers.length === 0) throw usageError(`no Worker of this project reads ${name}; rotatable here: ${rotatable.join(', ') || 'none'}`);
  const slot = workers[0]!.secret!.rotationSlot;
  if (!slot) throw usageError(`${name} cannot be rotated by appshell yet; allowed: ${rotatable.join(', ') || 'none'}`);
  // Verifiers first, signers last: a signer must never use a value that a verifier does not accept yet.
  const ordered = [...workers].sort((a, b) => Number(Boolean(a.secret!.signs)) - Number(Boolean(b.secret!.signs)));
  return { slot, workers: ordered.map((entry) => entry.worker) };
}

async function saveRotations(project: LoadedProject, rotations: ProjectManifest['rotations']): Promise<void> {
  const manifest = { ...project.manifest, rotations };
  const text = await readFile(join(project.root, manifestFileName), 'utf8');
  if (text === renderManifest(manifest)) return;
  const files = planFiles([{ path: manifestFileName, content: renderManifest(manifest), neverConflicts: true }], diskTree(project.root), {
    force: false,
  });
  await applyPlan({ root: project.root, newProject: false, files });
}

/** The secret names each holder has now; stops (exit 1) when wrangler cannot tell or a holder is not deployed. */
async function holderNames(project: LoadedProject, wrangler: WranglerCommand, env: string, workers: WorkerName[]) {
  const states = await listSecretStates(project, wrangler, env, workers);
  return workers.map((worker) => {
    const state = states.get(worker)!;
    const script = scriptName(project.manifest.name, worker, env);
    if (state.kind === 'unknown') throw new CliError(`wrangler could not list the secrets of ${script}: ${state.why}; nothing was changed`);
    if (state.kind === 'not-deployed') {
      throw new CliError(`${script} is not deployed yet: nothing to rotate; nothing was changed`, {
        suggestion: `Deploy it and run appshell secrets --push --env ${env} first.`,
      });
    }
    return { worker, script, names: state.names };
  });
}

/**
 * `appshell secrets --rotate <NAME> --env <env>`: a new value goes into the slot the Workers do not use yet
 * (`<NAME>_NEXT`, or `<NAME>` after an earlier rotation), which every reader accepts beside the current one; the
 * slot's name (never a value) is recorded in appshell.json. `--finish-rotation` deletes the old slot, senders first.
 */
export async function runRotation(project: LoadedProject, wrangler: WranglerCommand, options: RotationOptions): Promise<void> {
  const { manifest } = project;
  const { env, name, finish, dryRun } = options;
  const say = options.json ? () => {} : print;
  const { slot, workers } = holders(manifest, name);
  const recorded = manifest.rotations[env]?.[name];
  if (finish && !recorded) throw usageError(`--finish-rotation: no rotation of ${name} is in progress for --env ${env}`);
  if (!finish && recorded)
    throw usageError(
      `--rotate: a rotation of ${name} is in progress for --env ${env} (new value in ${recorded}); run --finish-rotation ${name} first`,
    );
  const held = await holderNames(project, wrangler, env, workers);
  const scripts = held.map((holder) => holder.script);
  const report = (action: 'rotate' | 'finish', target: string) => {
    if (options.json) print(JSON.stringify({ env, name, action, slot: target, workers: scripts, dryRun: Boolean(dryRun) }, null, 2));
  };

  if (finish) {
    const old = recorded === slot ? name : slot;
    const lacking = held.filter((holder) => !holder.names.has(recorded!)).map((holder) => holder.script);
    if (lacking.length > 0) throw new CliError(`the new ${name} (${recorded}) is not set on ${lacking.join(', ')}; nothing was removed`);
    const removed: string[] = [];
    for (const holder of [...held].reverse()) {
      if (!holder.names.has(old)) continue; // removed by an earlier run that stopped halfway
      if (dryRun) {
        say(`Would remove the old ${name} (${old}) from ${holder.script}`);
        continue;
      }
      const failure = await deleteSecret(project, wrangler, holder.worker, env, old);
      if (failure !== undefined) {
        throw new CliError(
          `wrangler secret delete failed for ${holder.script}: ${failure}\nRemoved from: ${removed.join(', ') || 'none'}`,
          {
            suggestion: `Fix the cause and run appshell secrets --finish-rotation ${name} --env ${env} again.`,
          },
        );
      }
      removed.push(holder.script);
      say(`  removed the old ${name} (${old}) from ${holder.script}`);
    }
    if (dryRun) {
      report('finish', old);
      say('Dry run: nothing was removed.');
      return;
    }
    const { [name]: _finished, ...rest } = manifest.rotations[env] ?? {};
    await saveRotations(project, { ...manifest.rotations, [env]: rest });
    report('finish', old);
    say(`Rotation of ${name} finished for ${env}: only the new value (${recorded}) is accepted.`);
    return;
  }

  // The current value is the slot every holder has; a holder that got the new value before a failure still
  // has the current one too, so a re-run writes the same slot again with a fresh value.
  const current = [name, slot].filter((candidate) => held.every((holder) => holder.names.has(candidate)));
  if (current.length === 0) {
    throw new CliError(`${name} is not set on every Worker that reads it (${scripts.join(', ')}): nothing to rotate`, {
      suggestion: `Run appshell secrets --push --env ${env} first.`,
    });
  }
  if (current.length === 2) {
    throw new CliError(
      `both ${name} and ${slot} are set on ${scripts.join(', ')} but appshell.json records no rotation, so the old one is unknown`,
      {
        suggestion: `Delete the old one with wrangler secret delete <name> --env ${env} in each Worker folder, then rotate again.`,
      },
    );
  }
  const target = current[0] === name ? slot : name;
  if (dryRun) {
    for (const script of scripts) say(`Would add a new ${name} (${target}) to ${script}`);
    report('rotate', target);
    say('Dry run: nothing was pushed.');
    return;
  }
  const value = generateSecretValue(name);
  const added: string[] = [];
  for (const holder of held) {
    const failure = await bulkPut(project, wrangler, holder.worker, env, { [target]: value });
    if (failure !== undefined) {
      throw new CliError(
        `wrangler secret bulk failed for ${holder.script}: ${failure}\nNew value added to: ${added.join(', ') || 'none'} (accepted there, used by no sender yet)`,
        {
          suggestion: `Fix the cause and run appshell secrets --rotate ${name} --env ${env} again.`,
        },
      );
    }
    added.push(holder.script);
    say(`  added a new ${name} (${target}) to ${holder.script}`);
  }
  await saveRotations(project, { ...manifest.rotations, [env]: { ...manifest.rotations[env], [name]: target } });
  report('rotate', target);
  say(`Both the old and the new ${name} are accepted now (the new one signs). Once nothing made with the old one`);
  say('is in use any more (sessions live at most SESSION_TTL_SECONDS; signed requests 5 minutes), run:');
  say(`  appshell secrets --finish-rotation ${name} --env ${env}`);
}
