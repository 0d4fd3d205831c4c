import { defineConfig } from 'vitest/config';

// Each Worker has its own vitest config (its tests run inside workerd with its own bindings);
// `npm test` at the root runs them all.
export default defineConfig({
  test: {
    projects: ['workers/*/vitest.config.ts'],
  },
});
