import type { ClosedPortFixture, InstantFixture, SessionKeysFixture, SupabaseFixture } from './provider-fixtures.js';

// What test/support/global-setup.ts hands to the Worker's bindings (vitest.config.ts) and to the tests (`inject`).
declare module 'vitest' {
  export interface ProvidedContext {
    instant: InstantFixture;
    supabase: SupabaseFixture;
    sessionKeys: SessionKeysFixture;
    closedPort: ClosedPortFixture;
  }
}
