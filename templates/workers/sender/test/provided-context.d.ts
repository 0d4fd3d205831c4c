// What test/support/global-setup.ts hands to the tests (`inject`).
declare module 'vitest' {
  export interface ProvidedContext {
    referenceReceiverUrl: string;
    closedPortUrl: string;
    receiverSession: { issuer: string; audience: string };
  }
}
export {};
