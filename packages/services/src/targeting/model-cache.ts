import type { TargetingModel } from '@interdict/targeting';

/**
 * Parsed targeting models kept in memory by one targeting service, so that scoring a day or
 * explaining one declaration does not re-read and re-parse the model file (tens of MB of JSON)
 * and re-advance its history each time.
 *
 * - `base`: the model as trained (trees compiled once), keyed by model id. Model rows are
 *   immutable, so an entry never goes stale; training a new model makes a new id active and the
 *   organisation's older entries are dropped (`forgetModels`).
 * - `asOf`: the model with its history advanced to a date (see TargetingModels.asOf), keyed by
 *   date and checked against a fingerprint of the stored declarations and inspections it learnt
 *   from, plus a per-organisation generation that every write through this service bumps.
 *   Read-only once built: scoring and explaining never mutate a model's history.
 */
interface ModelEntry {
  readonly organisationId: string;
  readonly base: TargetingModel;
  readonly asOf: Map<string, { fingerprint: string; model: TargetingModel }>;
}

/**
 * Dates kept per model: officers work on today's queue and a few recent days. Each entry holds
 * a copy of the model's history (several MB for the KCS train set), hence the small limits.
 */
const AS_OF_LIMIT = 4;
/** Models kept (the active fraud and critical models of a couple of organisations). */
const MODEL_LIMIT = 4;

export class TargetingModelCache {
  private readonly models = new Map<string, ModelEntry>();
  private readonly generations = new Map<string, number>();

  /** Marks the organisation's declarations or inspections as changed (invalidates `asOf` entries). */
  bumpGeneration(organisationId: string): void {
    this.generations.set(organisationId, this.generation(organisationId) + 1);
  }

  generation(organisationId: string): number {
    return this.generations.get(organisationId) ?? 0;
  }

  /** Drops the organisation's cached models (a new one was trained and made active). */
  forgetModels(organisationId: string): void {
    for (const [id, e] of this.models)
      if (e.organisationId === organisationId) this.models.delete(id);
  }

  async base(
    organisationId: string,
    modelId: string,
    load: () => Promise<TargetingModel>,
  ): Promise<TargetingModel> {
    const hit = this.models.get(modelId);
    if (hit && hit.organisationId === organisationId) {
      // Least recently used goes first: re-insert on every hit.
      this.models.delete(modelId);
      this.models.set(modelId, hit);
      return hit.base;
    }
    const base = await load();
    this.models.set(modelId, { organisationId, base, asOf: new Map() });
    while (this.models.size > MODEL_LIMIT)
      this.models.delete(this.models.keys().next().value as string);
    return base;
  }

  /**
   * The cached base model, if there is one, without loading or reordering anything: the
   * out-of-time evaluation reads older versions through this and leaves the cache to the
   * models the queue uses (evaluating six versions must not evict the active ones).
   */
  peekBase(organisationId: string, modelId: string): TargetingModel | undefined {
    const hit = this.models.get(modelId);
    return hit && hit.organisationId === organisationId ? hit.base : undefined;
  }

  asOf(modelId: string, date: string, fingerprint: string): TargetingModel | undefined {
    const entry = this.models.get(modelId);
    const hit = entry?.asOf.get(date);
    if (!entry || !hit || hit.fingerprint !== fingerprint) return undefined;
    entry.asOf.delete(date);
    entry.asOf.set(date, hit);
    return hit.model;
  }

  rememberAsOf(modelId: string, date: string, fingerprint: string, model: TargetingModel): void {
    const entry = this.models.get(modelId);
    if (!entry) return;
    entry.asOf.delete(date);
    entry.asOf.set(date, { fingerprint, model });
    while (entry.asOf.size > AS_OF_LIMIT)
      entry.asOf.delete(entry.asOf.keys().next().value as string);
  }

  /**
   * Forgets every model (tests compare cached answers with freshly computed ones). Generations
   * only ever grow, so nothing fingerprinted before can match again by accident.
   */
  clear(): void {
    this.models.clear();
  }
}
