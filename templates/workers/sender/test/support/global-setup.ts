/// <reference types="node" />
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';
import { testSigningSecret } from '../fixtures/signing-secrets.js';
import { startReferenceReceiver } from './reference-receiver.js';

/** A port nothing listens on: the sender's connection errors and retries are tested against it. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Runs in Node before the sender's tests: starts the reference receiver on 127.0.0.1, stops it at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const receiver = await startReferenceReceiver(testSigningSecret);
  project.provide('referenceReceiverUrl', receiver.url);
  project.provide('closedPortUrl', await closedPortUrl());
  return () => receiver.close();
}
