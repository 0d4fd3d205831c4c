import type { WorkerName } from '../answers.js';
import { api } from './api.js';
import { authShim } from './auth-shim.js';
import { receiver } from './receiver.js';
import { sender } from './sender.js';
import type { WorkerDescriptor } from './types.js';

export type { SecretRequirement, WorkerBindings, WorkerDescriptor } from './types.js';

/** Every Worker template appshell knows, by name. */
export const workerDescriptors: Record<WorkerName, WorkerDescriptor> = {
  'auth-shim': authShim,
  api,
  sender,
  receiver,
};

/** The deployed name of a Worker: `<project>-<worker>`; wrangler adds `-<env>` per environment. */
export function scriptName(project: string, worker: WorkerName, env?: string): string {
  return env ? `${project}-${worker}-${env}` : `${project}-${worker}`;
}
