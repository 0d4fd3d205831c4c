import { baseRuntimeModules, emptyBindings, type WorkerDescriptor } from './types.js';

export const receiver = {
  name: 'receiver',
  summary: 'verifies signed requests, refuses replays and dispatches actions to handlers',
  requires: [],
  runtimeModules: baseRuntimeModules,
  cors: false,
  dependencies: ['hono'],
  bindings(_manifest) {
    return emptyBindings();
  },
} satisfies WorkerDescriptor;
