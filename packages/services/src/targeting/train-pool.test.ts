import { afterAll, describe, expect, it } from 'vitest';
import { readCsv } from '@interdict/core';
import {
  TargetingError,
  parseDeclarations,
  planTraining,
  prepareTraining,
  trainTargetingModel,
  type Declaration,
  type TargetingModel,
} from '@interdict/targeting';
import { kcsTrainText } from '@interdict/testkit';
import { TrainingPool, trainTargetingModelInWorkers, trainingWorkerCount } from './train-pool';

// A small KCS sample: the training split's January 2020.
const declarations: Declaration[] = (
  await parseDeclarations(readCsv([kcsTrainText()]), { onBadRow: 'refuse' })
).declarations;

/** The model without the timings (the only part that may differ between two trainings). */
function comparable(model: TargetingModel): unknown {
  const body = JSON.parse(model.serialize()) as { training: Record<string, unknown> };
  delete body.training.treesMs;
  delete body.training.featuresMs;
  return body;
}

describe('targeting training on worker threads', () => {
  it('trains the same bagged, refitted model as in process, byte for byte', async () => {
    const options = { objective: 'critical' as const, gbdt: { rounds: 40, bags: 3 } };
    const inProcess = trainTargetingModel(declarations, options);
    const progress: number[] = [];
    const threaded = await trainTargetingModelInWorkers(
      declarations,
      { ...options, onProgress: (stage, done) => stage === 'trees' && progress.push(done) },
      2,
    );
    expect(threaded.training.refit).toBe(true);
    expect(threaded.training.members).toHaveLength(3);
    expect(JSON.stringify(threaded.gbdt)).toBe(JSON.stringify(inProcess.gbdt));
    expect(comparable(threaded)).toEqual(comparable(inProcess));
    // Every member reported its end: 3 × 40 rounds counted at the last report.
    expect(progress.at(-1)).toBe(120);
  });

  it('trains in process with 0 workers', async () => {
    const options = { objective: 'fraud' as const, gbdt: { rounds: 20 } };
    const model = await trainTargetingModelInWorkers(declarations, options, 0);
    expect(comparable(model)).toEqual(comparable(trainTargetingModel(declarations, options)));
  });

  describe('a failing member', () => {
    const pool = new TrainingPool(2);
    afterAll(() => pool.close());

    it('rejects the run with the member and the reason', async () => {
      const prepared = prepareTraining(declarations, { objective: 'fraud' });
      const plan = planTraining(prepared, { gbdt: { rounds: 5, bags: 2 } });
      const [good, bad] = plan.members as [(typeof plan.members)[0], (typeof plan.members)[0]];
      // An early-stopping set with another feature count: the worker's trainMember refuses it.
      const wrong = { ...bad, valid: { ...prepared.fit, featureCount: 3 } };
      const ok = pool.run(good);
      const failed = pool.run(wrong);
      await expect(failed).rejects.toThrow(TargetingError);
      await expect(failed).rejects.toThrow(
        /bagged member 1: validation set has a different feature count/,
      );
      // The other member and the pool are unaffected.
      expect((await ok).model.trees.length).toBeGreaterThan(0);
      const again = await pool.run(good);
      expect(JSON.stringify(again.model)).toBe(JSON.stringify((await ok).model));
    });
  });

  it('reads its thread count from INTERDICT_TRAIN_WORKERS', () => {
    expect(trainingWorkerCount('0')).toBe(0);
    expect(trainingWorkerCount('3')).toBe(3);
    expect(trainingWorkerCount(undefined)).toBeGreaterThan(0);
    expect(() => trainingWorkerCount('two')).toThrow(/INTERDICT_TRAIN_WORKERS/);
  });
});
