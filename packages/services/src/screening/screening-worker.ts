// Worker-thread side of the screening pool (worker-pool.ts). It imports the matcher only, not the
// store, so a worker starts without loading database drivers. Each generation is one set of list
// versions: the worker builds its own index from the entities' JSON (the index is plain data,
// cheaper to rebuild per thread than to copy) and keeps it until the pool says it is retired.
import { parentPort } from 'node:worker_threads';
import { ScreeningIndex, type Entity } from '@interdict/screening';
import { compactHit, type FromWorker, type PooledHit, type ToWorker } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('screening-worker.ts runs only as a worker thread');

const indexes = new Map<number, ScreeningIndex>();

function errorOf(error: unknown): { code?: string; message: string } {
  const e = error as { code?: unknown; message?: unknown };
  return {
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    message: typeof e.message === 'string' ? e.message : String(error),
  };
}

const send = (msg: FromWorker): void => port.postMessage(msg);

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'load': {
      try {
        indexes.set(msg.gen, ScreeningIndex.build(JSON.parse(msg.entitiesJson) as Entity[]));
        send({ type: 'loaded', gen: msg.gen });
      } catch (error) {
        send({ type: 'load-failed', gen: msg.gen, error: errorOf(error) });
      }
      return;
    }
    case 'drop':
      indexes.delete(msg.gen);
      return;
    case 'search': {
      const index = indexes.get(msg.gen);
      if (!index) {
        send({ type: 'failed', id: msg.id, error: { message: `generation ${msg.gen} retired` } });
        return;
      }
      // JSON texts cross the thread boundary as flat strings (cheap to copy), and the main
      // thread need not serialise the hits again.
      const hits: (PooledHit[] | string)[] = [];
      const answer = (list: PooledHit[]) => hits.push(msg.json ? JSON.stringify(list) : list);
      for (const q of msg.queries) {
        if (q === null) {
          answer([]);
          continue;
        }
        try {
          answer(index.search(q, msg.options).map((h) => compactHit(h, msg.explain)));
        } catch (error) {
          if (msg.onError === 'empty') {
            answer([]);
            continue;
          }
          send({ type: 'failed', id: msg.id, error: errorOf(error) });
          return;
        }
      }
      send({ type: 'result', id: msg.id, hits: hits as PooledHit[][] | string[] });
      return;
    }
  }
});
