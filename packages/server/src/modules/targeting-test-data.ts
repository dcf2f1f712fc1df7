// Test-only helpers for the targeting API suites (not exported from index.ts): the KCS
// benchmark's declarations through sharedData(), and ingest as the CLI's system actor.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { runIngestJob } from '@interdict/store';
import { sharedData } from '@interdict/testkit';
import type { World } from '../testing';

/** Lines of a KCS 2023 (HS6) split, header first. */
export const kcsLines = (name: 'df_syn_train_eng.csv' | 'df_syn_valid_eng.csv'): string[] =>
  readFileSync(sharedData('customs-synthetic', 'kcs-2023-hs6', name), 'utf8')
    .trim()
    .split('\n');

export const dateOf = (line: string): string => line.split(',')[1]!;

/** A KCS row with its `Fraud,Critical Fraud` labels emptied (not yet inspected). */
export const unlabelled = (line: string): string => line.replace(/,\d,\d$/, ',,');

/** Runs one ingest job for the home organisation; throws with the job's error when it fails. */
export async function ingestText(
  world: World,
  kind: string,
  sourceName: string,
  text: string,
): Promise<void> {
  const job = await runIngestJob(world.store, await world.store.systemActor(), {
    kind,
    sourceName,
    input: Readable.from([new TextEncoder().encode(text)], {
      objectMode: true,
    }) as AsyncIterable<Uint8Array>,
  });
  if (job.status !== 'succeeded') throw new Error(job.error ?? `${kind} ingest failed`);
}
