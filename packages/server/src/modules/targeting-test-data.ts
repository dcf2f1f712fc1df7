// Test-only helper for the targeting API suites (not exported from index.ts): ingest as the
// CLI's system actor. The data itself comes from @interdict/testkit (targeting-data.ts).
import { Readable } from 'node:stream';
import type { World } from '../testing';

/** Runs one ingest job for the home organisation; throws with the job's error when it fails. */
export async function ingestText(
  world: World,
  kind: string,
  sourceName: string,
  text: string,
): Promise<void> {
  const { job } = await world.services.ingest.run(await world.store.systemActor(), {
    kind,
    sourceName,
    input: Readable.from([new TextEncoder().encode(text)], {
      objectMode: true,
    }) as AsyncIterable<Uint8Array>,
  });
  if (job.status !== 'succeeded') throw new Error(job.error ?? `${kind} ingest failed`);
}
