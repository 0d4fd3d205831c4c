import { defineConfig } from 'vitest/config';

// Each Worker has its own vitest config (its tests run inside workerd with its own bindings);
// `npm test` at the root runs them all.
export default defineConfig({
  test: {
    // Worker log lines (one JSON line per request) are shown only for failing tests.
    silent: 'passed-only',
    projects: ['workers/*/vitest.config.ts'],
  },
});
