import { describe, expect, it } from 'vitest';
import { TargetingError } from './errors';
import {
  MODEL_VERSION,
  TargetingModel,
  finishTraining,
  finishTrainingWith,
  prepareTraining,
  runMemberTask,
  splitByDate,
  trainTargetingModel,
  type MemberRunner,
} from './model';
import { declaration, randomDeclarations } from './test-fixtures';

// Importer I1 always commits fraud, the rest never: a history feature the model must pick up.
const train = randomDeclarations(21, 600, 60).map((d) => {
  const fraud = d.importer === 'I1' ? 1 : 0;
  return {
    ...d,
    fraud: fraud,
    critical: fraud === 1 ? (d.hsCode === '030617' ? 2 : 1) : 0,
  } as const;
});
const later = randomDeclarations(22, 200, 20).map((d) => ({
  ...d,
  id: `L${d.id}`,
  day: d.day + 90,
}));

describe('TargetingModel', () => {
  const model = trainTargetingModel(train, { gbdt: { rounds: 30 } });

  it('learns from history features and explains with them', () => {
    const scores = model.score(later);
    const i1 = later.map((d, i) => ({ d, s: scores[i] as number }));
    const minI1 = Math.min(...i1.filter((x) => x.d.importer === 'I1').map((x) => x.s));
    const maxOther = Math.max(...i1.filter((x) => x.d.importer !== 'I1').map((x) => x.s));
    expect(minI1).toBeGreaterThan(maxOther);
    const m = model.features(later);
    const row = later.findIndex((d) => d.importer === 'I1');
    const reasons = model.reasons(m, row);
    expect(reasons[0]?.feature).toMatch(/^importer/);
    expect(reasons[0]?.text).toMatch(/importer/);
  });

  it('scores identically after a save and load', () => {
    const loaded = TargetingModel.parse(model.serialize());
    expect(Array.from(loaded.score(later))).toEqual(Array.from(model.score(later)));
    const m = model.features(later);
    expect(Array.from(loaded.explain(m, 3).contributions)).toEqual(
      Array.from(model.explain(m, 3).contributions),
    );
    expect(loaded.training.rows).toBe(train.length);
    expect(loaded.training.holdoutMetrics.map((m) => m.percent)).toEqual([1, 2, 5, 10]);
  });

  it('refuses a model file of another version', () => {
    const json = JSON.parse(model.serialize()) as Record<string, unknown>;
    json.version = MODEL_VERSION + 1;
    const error = (() => {
      try {
        TargetingModel.parse(JSON.stringify(json));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TargetingError);
    expect((error as TargetingError).code).toBe('MODEL_VERSION');
    expect((error as TargetingError).message).toContain(
      `version ${MODEL_VERSION + 1} is not supported`,
    );
  });

  it('refuses a model whose feature schema does not match', () => {
    const json = JSON.parse(model.serialize()) as { featureSchema: { names: string[] } };
    json.featureSchema.names = [...json.featureSchema.names].reverse();
    expect(() => TargetingModel.parse(JSON.stringify(json))).toThrow(/feature schema/);
    const other = JSON.parse(model.serialize()) as { featureConfig: { groupKey: boolean } };
    other.featureConfig.groupKey = !other.featureConfig.groupKey;
    expect(() => TargetingModel.parse(JSON.stringify(other))).toThrow(/feature schema/);
    expect(() => TargetingModel.parse('{"format":"something else"}')).toThrow(
      /not a targeting model/,
    );
    expect(() => TargetingModel.parse('not json')).toThrow(TargetingError);
  });

  it('refuses a tampered tree', () => {
    const json = JSON.parse(model.serialize()) as { gbdt: { trees: { left: number[] }[] } };
    const tree = json.gbdt.trees[0];
    if (tree) tree.left[0] = 0;
    expect(() => TargetingModel.parse(JSON.stringify(json))).toThrow(/bad children/);
  });

  it('trains a separate Critical Fraud model', () => {
    const critical = trainTargetingModel(train, { objective: 'critical', gbdt: { rounds: 20 } });
    expect(critical.objective).toBe('critical');
    expect(critical.training.positives).toBe(train.filter((d) => d.critical === 2).length);
    expect(critical.names.some((n) => n.endsWith('criticalRate'))).toBe(true);
  });

  it('bags and refits when asked, and such a model scores identically after loading', () => {
    const options = { objective: 'critical' as const, gbdt: { rounds: 20, bags: 3 } };
    const stopped = trainTargetingModel(train, { ...options, refit: false });
    const refitted = trainTargetingModel(train, { ...options, refit: true });
    expect(refitted.training.members).toHaveLength(3);
    expect(refitted.training.members).toEqual(stopped.training.members);
    expect(refitted.training.refit).toBe(true);
    expect(stopped.training.refit).toBe(false);
    // The refit trees saw the early-stopping rows too, so they differ.
    expect(JSON.stringify(refitted.gbdt)).not.toBe(JSON.stringify(stopped.gbdt));
    const loaded = TargetingModel.parse(refitted.serialize());
    expect(Array.from(loaded.score(later))).toEqual(Array.from(refitted.score(later)));
    const m = refitted.features(later);
    const e = refitted.explain(m, 5);
    const margin = refitted.compiled.margin(m.values, 5 * refitted.names.length);
    expect(e.bias + e.contributions.reduce((a, b) => a + b, 0)).toBeCloseTo(margin, 9);
  });

  it('refuses a version-1 model file (before bagging and refitting)', () => {
    const json = JSON.parse(model.serialize()) as Record<string, unknown>;
    json.version = 1;
    expect(() => TargetingModel.parse(JSON.stringify(json))).toThrow(/version 1 is not supported/);
  });

  it('early-stops on the latest-dated slice only', () => {
    const { fit, holdout } = splitByDate(train, 0.2);
    const lastFit = Math.max(...fit.map((d) => d.day));
    const firstHoldout = Math.min(...holdout.map((d) => d.day));
    expect(lastFit).toBeLessThan(firstHoldout);
    expect(holdout.length / train.length).toBeGreaterThan(0.1);
    expect(model.training.earlyStoppingFrom).not.toBeNull();
  });

  it('refuses to train without inspected declarations', () => {
    expect(() => trainTargetingModel([declaration({ fraud: null, critical: null })])).toThrow(
      /no inspected/,
    );
  });
});

describe('training with the members run elsewhere', () => {
  it('gives the same model whatever order the members are trained in', async () => {
    const options = { objective: 'critical' as const, gbdt: { rounds: 15, bags: 3 } };
    const prepared = prepareTraining(train, options);
    const inTurn = finishTraining(prepared, options);
    const order: string[] = [];
    // As a thread pool may: the last member finishes first.
    const lastFirst: MemberRunner = (task) =>
      new Promise((resolve) => {
        setTimeout(
          () => {
            order.push(`${task.rounds === undefined ? 'stop' : 'refit'} ${task.member}`);
            resolve(runMemberTask(task));
          },
          (3 - task.member) * 20,
        );
      });
    const elsewhere = await finishTrainingWith(prepared, options, 0, lastFirst);
    expect(order[0]).toBe('stop 2');
    expect([...order].sort()).toEqual([
      'refit 0',
      'refit 1',
      'refit 2',
      'stop 0',
      'stop 1',
      'stop 2',
    ]);
    const { treesMs: _a, featuresMs: _b, ...a } = inTurn.training;
    const { treesMs: _c, featuresMs: _d, ...b } = elsewhere.training;
    expect(JSON.stringify(elsewhere.gbdt)).toBe(JSON.stringify(inTurn.gbdt));
    expect(b).toEqual(a);
  });
});
