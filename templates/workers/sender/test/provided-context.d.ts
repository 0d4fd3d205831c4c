// Loads vitest's own declarations first, so the augmentation below also applies under test/support/tsconfig.json.
import type {} from 'vitest';

// What vitest.config.ts and test/support/global-setup.ts hand to the tests (`inject`).
declare module 'vitest' {
  export interface ProvidedContext {
    /** The Node receiver that verifies with the standardwebhooks reference library. */
    referenceReceiverUrl: string;
    /** The real receiver Worker served over HTTP by wrangler (session tokens pinned to HS256). */
    realReceiverUrl: string;
    closedPortUrl: string;
    /** The session settings of the receiver behind the RECEIVER service binding. */
    receiverSession: { alg: string; issuer: string; audience: string };
    receiverConfigPath: string;
  }
}
