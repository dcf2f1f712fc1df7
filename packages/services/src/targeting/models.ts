import { isInterdictError } from '@interdict/core';
import { targetingRepository, type Actor, type Store } from '@interdict/store';
import {
  TargetingModel,
  type Declaration,
  type History,
  type Objective,
} from '@interdict/targeting';
import { ServiceError } from '../errors';
import type { TargetingModelCache } from './model-cache';

/** A TreeSHAP explanation of one model's score: bias + contributions = margin (log-odds). */
export interface ScoreExplanation {
  readonly modelId: string;
  readonly bias: number;
  readonly margin: number;
  readonly contributions: { feature: string; value: number | null; contribution: number }[];
}

/**
 * Stored models as the queue, the declaration page and the evaluation use them: parsed once per
 * id and advanced to a date once per fingerprint (model-cache.ts). Never crosses organisations:
 * every read is scoped to the actor's, and the cache keys entries by organisation too.
 */
export class TargetingModels {
  constructor(readonly cache: TargetingModelCache) {}

  private async load(store: Store, actor: Actor, id: string): Promise<TargetingModel> {
    const body = await targetingRepository(store).modelBody(actor, id);
    if (body === undefined) throw new ServiceError('NOT_FOUND', `targeting model ${id} not found`);
    return TargetingModel.parse(body);
  }

  /**
   * A stored model as trained (parsed once per id); NOT_FOUND in another organisation. With
   * `remember: false` a model not already cached is read without caching it.
   */
  async base(
    store: Store,
    actor: Actor,
    id: string,
    options: { remember?: boolean } = {},
  ): Promise<TargetingModel> {
    if (options.remember === false)
      return this.cache.peekBase(actor.organisationId, id) ?? (await this.load(store, actor, id));
    return this.cache.base(actor.organisationId, id, () => this.load(store, actor, id));
  }

  /**
   * Advances `history` through every stored declaration dated strictly after `after` and strictly
   * before `before`, in date then id order, with their inspection results: what a model trained on
   * data up to `after` knows on the morning of `before`. The one implementation of that walk: the
   * queue and a declaration's explanation (`asOf`) and the out-of-time evaluation of a model
   * version (evaluation.ts, which calls it day after day on one history) all go through it.
   */
  async advanceHistory(
    store: Store,
    actor: Actor,
    history: History,
    after: string,
    before: string,
  ): Promise<void> {
    const between = await targetingRepository(store).labelledDeclarationsBetween(
      actor,
      after,
      before,
    );
    for (const d of between) history.add(d, true);
  }

  /**
   * The active `objective` model with its history advanced through every stored declaration
   * dated after its training data and strictly before `date` (their inspection results included):
   * scoring a day never sees that day's or later outcomes. Cached per model id and date; the
   * result is shared, so callers must not advance its history.
   */
  async asOf(
    store: Store,
    actor: Actor,
    objective: Objective,
    date: string,
  ): Promise<{ id: string; model: TargetingModel }> {
    const repo = targetingRepository(store);
    const row = await repo.activeModel(actor, objective);
    if (!row)
      throw new ServiceError(
        'NOT_FOUND',
        `no ${objective} model has been trained yet: train one first`,
      );
    if (date <= row.lastDate)
      throw new ServiceError(
        'CONFLICT',
        `the active ${objective} model learnt from inspections up to ${row.lastDate}: scoring or explaining ${date} with it would use that day's outcomes; train a model on inspections before ${date} first`,
      );
    // Writes through this service bump the generation; ingest jobs (another service) change the
    // fingerprint itself: a re-ingested declaration comes with a new job id.
    const fingerprint = `${this.cache.generation(actor.organisationId)}|${await repo.historyFingerprint(actor, row.lastDate, date)}`;
    const hit = this.cache.asOf(row.id, date, fingerprint);
    if (hit) return { id: row.id, model: hit };
    const base = await this.base(store, actor, row.id);
    const history = base.history.clone();
    await this.advanceHistory(store, actor, history, row.lastDate, date);
    const model = base.withHistory(history);
    this.cache.rememberAsOf(row.id, date, fingerprint, model);
    return { id: row.id, model };
  }

  /**
   * The active `objective` model's exact TreeSHAP explanation of `d` (Lundberg et al., Nature MI
   * 2020: the contributions and bias sum to the margin), when that model learnt only from earlier
   * days; null when there is no such model.
   */
  async explain(
    store: Store,
    actor: Actor,
    objective: Objective,
    d: Declaration,
  ): Promise<ScoreExplanation | null> {
    const asOf = await this.asOf(store, actor, objective, d.date).catch((error: unknown) => {
      if (isInterdictError(error) && (error.code === 'CONFLICT' || error.code === 'NOT_FOUND'))
        return null;
      throw error;
    });
    if (!asOf) return null;
    const { id: modelId, model } = asOf;
    const matrix = model.features([d]);
    const e = model.explain(matrix, 0);
    const contributions = model.names
      .map((feature, f) => ({
        feature,
        value: Number.isFinite(matrix.values[f]) ? (matrix.values[f] as number) : null,
        contribution: e.contributions[f] as number,
      }))
      .filter((c) => c.contribution !== 0)
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    const margin = e.bias + e.contributions.reduce((s, v) => s + v, 0);
    return { modelId, bias: e.bias, margin, contributions };
  }
}
