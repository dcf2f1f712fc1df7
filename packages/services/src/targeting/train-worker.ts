// Worker-thread side of the targeting training pool (train-pool.ts): trains one bagged GBDT member
// per message with the same pure function as in-process training (runMemberTask), so the trees are
// the same on any thread. It imports the targeting package only, not the store, so a worker starts
// without loading database drivers.
import { parentPort } from 'node:worker_threads';
import { runMemberTask } from '@interdict/targeting';
import type { FromTrainWorker, ToTrainWorker } from './train-pool';

const port = parentPort;
if (!port) throw new Error('train-worker.ts runs only as a worker thread');

const send = (msg: FromTrainWorker): void => port.postMessage(msg);

port.on('message', (msg: ToTrainWorker) => {
  try {
    let reported = 0;
    const result = runMemberTask(msg.task, (round) => {
      // Progress a few times a member, not every round: each message wakes the main thread.
      if (round - reported >= 10) {
        reported = round;
        send({ type: 'round', id: msg.id, round });
      }
    });
    send({ type: 'result', id: msg.id, result });
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    send({
      type: 'error',
      id: msg.id,
      error: {
        ...(typeof e.code === 'string' ? { code: e.code } : {}),
        message: typeof e.message === 'string' ? e.message : String(error),
      },
    });
  }
});
