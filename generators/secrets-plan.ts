import type { WorkerName } from './answers.js';
import type { ProjectManifest } from './manifest.js';
import { configFileName } from './wrangler-config.js';
import { scriptName, workerDescriptors } from './workers/index.js';

/** What `wrangler secret list` told about one Worker of one environment. */
export type RemoteState = { kind: 'exists'; names: ReadonlySet<string> } | { kind: 'not-deployed' } | { kind: 'unknown'; why: string };

export type SecretStatus = 'set' | 'missing' | 'optional' | 'unknown';

export interface SecretRow {
  worker: WorkerName;
  scriptName: string;
  configPath: string;
  name: string;
  status: SecretStatus;
  source: 'generated' | 'provided';
  sharedGroup?: string;
  description: string;
}

export interface WorkerSecrets {
  worker: WorkerName;
  scriptName: string;
  configPath: string;
  remote: RemoteState;
  secrets: SecretRow[];
}

/** Every Worker's secrets for one environment, with their status; pure. */
export function planSecrets(manifest: ProjectManifest, env: string, remote: ReadonlyMap<WorkerName, RemoteState>): WorkerSecrets[] {
  return manifest.workers.map((worker) => {
    const state = remote.get(worker) ?? { kind: 'unknown', why: 'not asked' };
    const base = { worker, scriptName: scriptName(manifest.name, worker, env), configPath: `workers/${worker}/${configFileName(manifest.configFormat)}` };
    const secrets = workerDescriptors[worker].bindings(manifest).secrets.map((secret): SecretRow => ({
      ...base,
      name: secret.name,
      source: secret.source,
      ...(secret.sharedGroup ? { sharedGroup: secret.sharedGroup } : {}),
      description: secret.description,
      status:
        state.kind === 'exists' && (state.names.has(secret.name) || (secret.rotationSlot !== undefined && state.names.has(secret.rotationSlot)))
          ? 'set'
          : state.kind === 'unknown'
            ? 'unknown'
            : secret.optional
              ? 'optional'
              : 'missing',
    }));
    return { ...base, remote: state, secrets };
  });
}

export interface PushPlan {
  /** Per deployed Worker, the names to send in its one `wrangler secret bulk` call. */
  pushes: { worker: WorkerName; scriptName: string; configPath: string; names: string[] }[];
  /** Shared groups that get a new value (every deployed member receives it, so they stay equal). */
  regeneratedGroups: string[];
  /** Provided secrets with no value yet, by name. */
  providedNeeded: string[];
  notDeployed: WorkerName[];
}

/**
 * Which secrets a push sends. A missing secret of a shared group cannot be copied from a Worker that has it
 * (secret values cannot be read back), so the group gets one new value and every deployed member receives it.
 */
export function planPush(workers: WorkerSecrets[]): PushPlan {
  const deployed = workers.filter((worker) => worker.remote.kind === 'exists');
  const regeneratedGroups = [
    ...new Set(deployed.flatMap((worker) => worker.secrets.filter((row) => row.status === 'missing' && row.sharedGroup).map((row) => row.sharedGroup!))),
  ];
  const pushes = deployed
    .map((worker) => ({
      worker: worker.worker,
      scriptName: worker.scriptName,
      configPath: worker.configPath,
      names: worker.secrets
        .filter((row) => row.status === 'missing' || (row.sharedGroup !== undefined && regeneratedGroups.includes(row.sharedGroup)))
        .map((row) => row.name),
    }))
    .filter((push) => push.names.length > 0);
  const providedNeeded = [
    ...new Set(deployed.flatMap((worker) => worker.secrets.filter((row) => row.source === 'provided' && row.status === 'missing').map((row) => row.name))),
  ];
  return { pushes, regeneratedGroups, providedNeeded, notDeployed: workers.filter((worker) => worker.remote.kind === 'not-deployed').map((worker) => worker.worker) };
}
