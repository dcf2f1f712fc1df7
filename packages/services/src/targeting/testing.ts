// Helpers for the targeting service's tests only (not exported from index.ts): the services over
// a store on each engine (the store's one harness, test-support.ts), and ingest as a test sets up.
import { isInterdictError } from '@interdict/core';
import type { Actor, Store } from '@interdict/store';
import { expect } from 'vitest';
import { createServices, type Services, type ServicesOptions } from '../services';
import { byteSource, openEngineStore, type Engine } from '../../../store/src/test-support';

export { ENGINES, byteSource } from '../../../store/src/test-support';

export interface ServicesWorld {
  readonly store: Store;
  /** The CLI's system actor: an admin of the bootstrapped home organisation. */
  readonly actor: Actor;
  readonly services: Services;
  /** Closes the services (threads, sequencer), then the store (and drops a PostgreSQL schema). */
  close(): Promise<void>;
}

/** Services over a bootstrapped store on `engine` (see openEngineStore). */
export async function openServicesWorld(
  engine: Engine,
  schemaPrefix: string,
  options: ServicesOptions = {},
): Promise<ServicesWorld> {
  const opened = await openEngineStore(engine, schemaPrefix);
  const services = createServices(opened.store, { ...options, closeStore: false });
  return {
    store: opened.store,
    actor: opened.actor,
    services,
    async close() {
      await services.close();
      await opened.close();
    },
  };
}

/**
 * Runs one ingest job of `text` through the ingest service (what it puts in force is on the
 * ledger); fails the test with the job's error when it fails.
 */
export async function ingestText(
  services: Services,
  actor: Actor,
  kind: string,
  sourceName: string,
  text: string,
): Promise<void> {
  const { job } = await services.ingest.run(actor, { kind, sourceName, input: byteSource(text) });
  expect(job.status, job.error ?? '').toBe('succeeded');
}

/** Awaits `promise` and expects it to fail with a product error (typed, coded) of `code`. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isInterdictError(error), String(error)).toBe(true);
  expect((error as { code: string }).code).toBe(code);
}
