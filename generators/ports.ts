import type { WorkerName } from './answers.js';

/** Fixed local ports, by Worker, so that printed URLs and service URLs stay the same from run to run. */
export const devPorts: Record<WorkerName, number> = { 'auth-shim': 8787, api: 8788, sender: 8789, receiver: 8790 };
