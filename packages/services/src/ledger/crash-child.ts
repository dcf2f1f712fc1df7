// Child process for crash.test.ts: records decisions through the services as fast as it can —
// each a change (an audit row standing for the decision's row) and its ledger entry in one
// transaction — and prints every acknowledged one, until it is SIGKILLed.
import { openStore } from '@interdict/store';
import { createServices } from '../services';

const [dir, run] = process.argv.slice(2) as [string, string];
const store = await openStore({ dataDir: dir });
const actor = await store.systemActor();
const services = createServices(store, {
  ledger: {
    origin: 'crash.interdict.test/decisions',
    key: Buffer.alloc(32, 5).toString('base64'),
    checkpointIntervalMs: 25,
  },
});
await services.start();
process.stdout.write('ready\n');
let k = 0;
await Promise.all(
  Array.from({ length: 32 }, async () => {
    for (;;) {
      const id = `${run}-${k++}`;
      const { entries } = await services.ledger.commit(actor, async (tx, record) => {
        await tx.audit.record({
          actor,
          action: 'crash.decision',
          targetType: 'crash',
          targetId: id,
        });
        await record({ type: 'crash.decision', body: { id }, subject: { type: 'crash', id } });
      });
      process.stdout.write(`ack ${id} ${entries[0]?.index ?? -1}\n`);
    }
  }),
);
