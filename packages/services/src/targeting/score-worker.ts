// Worker-thread side of the targeting scoring pool (score-pool.ts): holds the compiled models it
// was sent (by pool-assigned id) and scores row ranges of a feature matrix in shared memory with
// the same pure code as in-process scoring (CompiledGbdt.probabilities), writing into a shared
// output. It imports the targeting package only, so a worker starts without database drivers.
import { parentPort } from 'node:worker_threads';
import { CompiledGbdt, validateGbdtModel } from '@interdict/targeting';
import type { FromScoreWorker, ToScoreWorker } from './score-pool';

const port = parentPort;
if (!port) throw new Error('score-worker.ts runs only as a worker thread');

const models = new Map<number, CompiledGbdt>();
/** Why a model could not be loaded: the tasks sent for it answer with that. */
const failed = new Map<number, { code?: string; message: string }>();
const send = (msg: FromScoreWorker): void => port.postMessage(msg);

port.on('message', (msg: ToScoreWorker) => {
  if (msg.type === 'drop') {
    models.delete(msg.model);
    failed.delete(msg.model);
    return;
  }
  if (msg.type === 'load') {
    // The model crossed a thread boundary as plain data: it is checked again before compiling,
    // and if it fails, every task sent for it says why.
    try {
      models.set(msg.model, new CompiledGbdt(validateGbdtModel(msg.gbdt, msg.featureCount)));
    } catch (error) {
      failed.set(msg.model, describe(error));
    }
    return;
  }
  try {
    const compiled = models.get(msg.model);
    if (!compiled) {
      const why = failed.get(msg.model);
      if (why) {
        send({ type: 'error', id: msg.id, error: why });
        return;
      }
      throw new Error(`model ${msg.model} was not loaded in this thread`);
    }
    const F = compiled.featureCount;
    const values = new Float64Array(
      msg.values,
      msg.valuesOffset + msg.from * F * 8,
      (msg.to - msg.from) * F,
    );
    const out = new Float64Array(msg.out, msg.from * 8, msg.to - msg.from);
    out.set(
      msg.margins
        ? compiled.margins(values, msg.to - msg.from)
        : compiled.probabilities(values, msg.to - msg.from),
    );
    send({ type: 'done', id: msg.id });
  } catch (error) {
    send({ type: 'error', id: msg.id, error: describe(error) });
  }
});

function describe(error: unknown): { code?: string; message: string } {
  const e = error as { code?: unknown; message?: unknown };
  return {
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    message: typeof e.message === 'string' ? e.message : String(error),
  };
}
