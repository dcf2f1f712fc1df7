import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv } from '@interdict/core';
import {
  CompiledGbdt,
  TargetingError,
  parseDeclarations,
  trainTargetingModel,
  type Declaration,
  type FeatureMatrix,
  type GbdtModel,
} from '@interdict/targeting';
import { kcsTrainText } from '@interdict/testkit';
import { ServiceError } from '../errors';
import {
  ScorePool,
  scoreDeclarationsInWorkers,
  scoreMatrixInWorkers,
  scoringWorkerCount,
} from './score-pool';
import { TargetingWorkers } from './workers';

// KCS train, January (fitted on) and February 2020 (scored).
const all: Declaration[] = (
  await parseDeclarations(readCsv([kcsTrainText('2020-03-01')]), { onBadRow: 'refuse' })
).declarations;
const january = all.filter((d) => d.date < '2020-02-01');
const february = all.filter((d) => d.date >= '2020-02-01');
const fraud = trainTargetingModel(january, { objective: 'fraud', gbdt: { rounds: 40 } });
const critical = trainTargetingModel(january, { objective: 'critical', gbdt: { rounds: 20 } });
const fraudMatrix = fraud.features(february);
const criticalMatrix = critical.features(february);

const bits = (a: Float64Array): string =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

describe('targeting scoring on worker threads', () => {
  const pool = new ScorePool(2, { minRows: 0 });
  afterAll(() => pool.close());

  it('scores a batch with the same bits as in process, for both objectives', async () => {
    expect(fraudMatrix.rows).toBeGreaterThan(1000);
    for (const [model, matrix] of [
      [fraud, fraudMatrix],
      [critical, criticalMatrix],
    ] as const) {
      const here = model.scoreMatrix(matrix);
      const there = await pool.scoreMatrix(model, matrix);
      expect(there).toHaveLength(matrix.rows);
      expect(bits(there)).toBe(bits(here));
      expect(bits(await pool.margins(model.gbdt, matrix.values, matrix.rows))).toBe(
        bits(model.compiled.margins(matrix.values, matrix.rows)),
      );
      // The generated code in the threads agrees with the walk in this one.
      const walked = new CompiledGbdt(model.gbdt, { generate: false });
      expect(bits(await pool.margins(model.gbdt, matrix.values, matrix.rows))).toBe(
        bits(walked.margins(matrix.values, matrix.rows)),
      );
    }
  });

  it('builds features chunk by chunk while the threads score, to the same matrix and scores', async () => {
    for (const model of [fraud, critical]) {
      const here = model.features(february);
      const { matrix, scores } = await pool.scoreDeclarations(model, february);
      expect(matrix.names).toEqual(here.names);
      expect(matrix.rows).toBe(here.rows);
      expect(bits(matrix.values)).toBe(bits(here.values));
      expect(bits(scores)).toBe(bits(model.scoreMatrix(here)));
    }
    // Online features advance the history through the batch: built and scored in process.
    const online = { online: { labels: true } };
    const expected = fraud.withHistory(fraud.history.clone()).features(february, online);
    const got = await scoreDeclarationsInWorkers(
      fraud.withHistory(fraud.history.clone()),
      february,
      online,
      pool,
    );
    expect(bits(got.matrix.values)).toBe(bits(expected.values));
    expect(bits(got.scores)).toBe(bits(fraud.scoreMatrix(expected)));
  });

  it('reads rows already in shared memory where they are, from any offset', async () => {
    const F = fraudMatrix.names.length;
    const buffer = new SharedArrayBuffer((fraudMatrix.rows + 3) * F * 8);
    const values = new Float64Array(buffer, 3 * F * 8, fraudMatrix.rows * F);
    values.set(fraudMatrix.values);
    expect(bits(await pool.probabilities(fraud.gbdt, values, fraudMatrix.rows))).toBe(
      bits(fraud.scoreMatrix(fraudMatrix)),
    );
  });

  it('keeps scoring right while models come and go in the threads', async () => {
    // More models than a thread keeps: the oldest are dropped and sent again when needed.
    const models: GbdtModel[] = Array.from({ length: 7 }, (_, k) => ({
      ...fraud.gbdt,
      baseMargin: fraud.gbdt.baseMargin + k / 8,
    }));
    const rows = 700;
    const values = fraudMatrix.values.subarray(0, rows * fraudMatrix.names.length);
    for (const k of [0, 1, 2, 3, 4, 5, 6, 0, 6, 2]) {
      const model = models[k] as GbdtModel;
      const got = await pool.margins(model, values, rows);
      expect(bits(got)).toBe(bits(new CompiledGbdt(model).margins(values, rows)));
    }
    // Batches of several models at once.
    const together = await Promise.all(models.map((m) => pool.margins(m, values, rows)));
    together.forEach((got, k) =>
      expect(bits(got)).toBe(bits(new CompiledGbdt(models[k] as GbdtModel).margins(values, rows))),
    );
  });

  it('refuses a matrix that does not fit the model before sending it', async () => {
    const narrow: FeatureMatrix = { ...fraudMatrix, names: fraudMatrix.names.slice(1) };
    await expect(pool.scoreMatrix(fraud, narrow)).rejects.toMatchObject({
      constructor: TargetingError,
      code: 'MODEL_SCHEMA',
    });
    await expect(
      pool.margins(fraud.gbdt, fraudMatrix.values.subarray(0, 10), 5),
    ).rejects.toMatchObject({ constructor: TargetingError, code: 'INVALID_ARGUMENT' });
  });

  it('answers a model the threads refuse with its typed error, and carries on', async () => {
    const [first] = fraud.gbdt.trees;
    // A child that points back at its parent: validateGbdtModel refuses it in the thread.
    const looped = { ...first!, left: [0, ...first!.left.slice(1)] };
    const bad: GbdtModel = { ...fraud.gbdt, trees: [looped, ...fraud.gbdt.trees.slice(1)] };
    await expect(pool.margins(bad, fraudMatrix.values, fraudMatrix.rows)).rejects.toMatchObject({
      constructor: TargetingError,
      code: 'MODEL_MALFORMED',
      message: expect.stringContaining('bad children') as unknown,
    });
    expect(bits(await pool.scoreMatrix(fraud, fraudMatrix))).toBe(
      bits(fraud.scoreMatrix(fraudMatrix)),
    );
  });

  it('scores a small batch in process', async () => {
    const small = fraud.features(february.slice(0, 50));
    const closed = new ScorePool(1);
    await closed.close();
    // A closed pool fails any batch it is given: this one never reached it.
    const scores = await scoreMatrixInWorkers(fraud, small, closed);
    expect(bits(scores)).toBe(bits(fraud.scoreMatrix(small)));
    await expect(scoreMatrixInWorkers(fraud, fraudMatrix, closed)).rejects.toMatchObject({
      constructor: ServiceError,
      code: 'STORE_UNAVAILABLE',
    });
    expect(bits(await scoreMatrixInWorkers(fraud, fraudMatrix, null))).toBe(
      bits(fraud.scoreMatrix(fraudMatrix)),
    );
  });
});

describe('scoring pool failures and shutdown', () => {
  it('fails batches, not hangs, when its threads die', async () => {
    // Threads that stop as soon as they are given work.
    const dying = new ScorePool(2, {
      minRows: 0,
      workerCode:
        "import('node:worker_threads').then(({ parentPort }) => parentPort.on('message', () => process.exit(7)));",
    });
    await expect(dying.scoreMatrix(fraud, fraudMatrix)).rejects.toMatchObject({
      constructor: ServiceError,
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('exit code 7') as unknown,
    });
    // Each failure removed at least the thread that died; threads that never worked are not
    // replaced, so after a second failed batch none is left, and a third fails at once.
    await expect(dying.scoreMatrix(fraud, fraudMatrix)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    expect(dying.workers).toBe(0);
    await expect(dying.scoreMatrix(fraud, fraudMatrix)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('no worker is running') as unknown,
    });
    await dying.close();
  });

  it('fails the batches in flight when closed, and every batch after', async () => {
    const pool = new ScorePool(1, { minRows: 0 });
    const failure = {
      constructor: ServiceError,
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('closed') as unknown,
    };
    const pending = expect(pool.scoreMatrix(fraud, fraudMatrix)).rejects.toMatchObject(failure);
    const pipelined = expect(pool.scoreDeclarations(fraud, february)).rejects.toMatchObject(
      failure,
    );
    await pool.close();
    await pending;
    await pipelined;
    expect(pool.isClosed).toBe(true);
    await expect(pool.scoreMatrix(fraud, fraudMatrix)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    await pool.close();
  });

  it('reads its thread count from INTERDICT_SCORE_WORKERS', async () => {
    expect(scoringWorkerCount('0')).toBe(0);
    expect(scoringWorkerCount('3')).toBe(3);
    expect(scoringWorkerCount(undefined)).toBe(availableParallelism());
    for (const bad of ['-1', '1.5', 'two', '65'])
      expect(() => scoringWorkerCount(bad)).toThrowError(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
      );
    // The targeting service's threads: from its settings, started on first use, kept, stopped
    // with it (INTERDICT_SCORE_WORKERS reaches them through the services' settings).
    const none = new TargetingWorkers({ scoreWorkers: '0', trainWorkers: '0' });
    expect(none.scorePool()).toBeNull();
    await none.close();
    const workers = new TargetingWorkers({ scoreWorkers: '1', trainWorkers: '0' });
    try {
      const shared = workers.scorePool();
      expect(shared?.size).toBe(1);
      expect(workers.scorePool()).toBe(shared);
      expect(bits(await workers.scoreMatrix(fraud, fraudMatrix))).toBe(
        bits(fraud.scoreMatrix(fraudMatrix)),
      );
      await workers.close();
      expect(shared?.isClosed).toBe(true);
      // Closed, it starts no threads again.
      expect(() => workers.scorePool()).toThrowError(
        expect.objectContaining({ code: 'STORE_UNAVAILABLE' }) as Error,
      );
    } finally {
      await workers.close();
    }
    const bad = new TargetingWorkers({ scoreWorkers: 'two', trainWorkers: '0' });
    expect(() => bad.scorePool()).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
    );
    await bad.close();
  });
});
