// Child process for crash.test.ts: appends to a folder-backed log as fast as it can and reports
// every acknowledged index and every published checkpoint on stdout, until it is SIGKILLed.
import { ed25519Signer, Sequencer, type LogStorage } from '@interdict/ledger';
import { nodeEd25519 } from '@interdict/ledger/node';
import { folderLogStorage } from './storage';

const [dir, origin, run] = process.argv.slice(2) as [string, string, string];
const signer = await ed25519Signer(origin, new Uint8Array(32).fill(9), nodeEd25519);
const base = folderLogStorage(dir, origin);
const storage: LogStorage = {
  ...base,
  async writeCheckpoint(bytes) {
    await base.writeCheckpoint(bytes);
    process.stdout.write(`cp ${Buffer.from(bytes).toString('base64')}\n`);
  },
};
const seq = await Sequencer.open({
  origin,
  signer,
  storage,
  checkpointIntervalMs: 25,
  maxBatch: 300,
});
process.stdout.write(`ready ${seq.size}\n`);
let k = 0;
await Promise.all(
  Array.from({ length: 64 }, async () => {
    for (;;) {
      const id = `${run}-${k++}`;
      const index = await seq.append(new TextEncoder().encode(id));
      process.stdout.write(`ack ${index} ${id}\n`);
    }
  }),
);
