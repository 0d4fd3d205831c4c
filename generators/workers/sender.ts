import { baseRuntimeModules, emptyBindings, type WorkerDescriptor } from './types.js';

export const sender = {
  name: 'sender',
  summary: 'public POST /send: validates, signs with HMAC and forwards to the receiver',
  requires: ['receiver'],
  runtimeModules: baseRuntimeModules,
  cors: true,
  dependencies: ['hono'],
  bindings(manifest) {
    const bindings = emptyBindings();
    bindings.services.push({ binding: 'RECEIVER', worker: 'receiver' });
    return bindings;
  },
} satisfies WorkerDescriptor;
