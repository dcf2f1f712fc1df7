import type { TargetingModel } from '@interdict/targeting';
import type { Store } from '../store';

/**
 * Parsed targeting models kept in memory, so that scoring a day or explaining one declaration
 * does not re-read and re-parse the model file (tens of MB of JSON) and re-advance its history
 * each time.
 *
 * - `base`: the model as trained (trees compiled once), keyed by model id. Model rows are
 *   immutable, so an entry never goes stale; training a new model makes a new id active and the
 *   organisation's older entries are dropped (`forgetModels`).
 * - `asOf`: the model with its history advanced to a date (see `modelAsOf`), keyed by date and
 *   checked against a fingerprint of the stored declarations and inspections it learnt from,
 *   plus a per-organisation generation that every write in this process bumps. Read-only once
 *   built: scoring and explaining never mutate a model's history.
 */
interface ModelEntry {
  readonly organisationId: string;
  readonly base: TargetingModel;
  readonly asOf: Map<string, { fingerprint: string; model: TargetingModel }>;
}

interface StoreCache {
  readonly models: Map<string, ModelEntry>;
  readonly generations: Map<string, number>;
}

/**
 * Dates kept per model: officers work on today's queue and a few recent days. Each entry holds
 * a copy of the model's history (several MB for the KCS train set), hence the small limits.
 */
const AS_OF_LIMIT = 4;
/** Models kept per store (the active fraud and critical models of a couple of organisations). */
const MODEL_LIMIT = 4;

const caches = new WeakMap<Store, StoreCache>();

function cacheFor(store: Store): StoreCache {
  let c = caches.get(store);
  if (!c) {
    c = { models: new Map(), generations: new Map() };
    caches.set(store, c);
  }
  return c;
}

/** Marks the organisation's declarations or inspections as changed (invalidates `asOf` entries). */
export function bumpGeneration(store: Store, organisationId: string): void {
  const c = cacheFor(store);
  c.generations.set(organisationId, (c.generations.get(organisationId) ?? 0) + 1);
}

export function generation(store: Store, organisationId: string): number {
  return cacheFor(store).generations.get(organisationId) ?? 0;
}

/** Drops the organisation's cached models (a new one was trained and made active). */
export function forgetModels(store: Store, organisationId: string): void {
  const { models } = cacheFor(store);
  for (const [id, e] of models) if (e.organisationId === organisationId) models.delete(id);
}

export async function cachedBase(
  store: Store,
  organisationId: string,
  modelId: string,
  load: () => Promise<TargetingModel>,
): Promise<TargetingModel> {
  const { models } = cacheFor(store);
  const hit = models.get(modelId);
  if (hit && hit.organisationId === organisationId) {
    // Least recently used goes first: re-insert on every hit.
    models.delete(modelId);
    models.set(modelId, hit);
    return hit.base;
  }
  const base = await load();
  models.set(modelId, { organisationId, base, asOf: new Map() });
  while (models.size > MODEL_LIMIT) models.delete(models.keys().next().value as string);
  return base;
}

/**
 * The cached base model, if there is one, without loading or reordering anything: the
 * out-of-time evaluation reads older versions through this and leaves the cache to the
 * models the queue uses (evaluating six versions must not evict the active ones).
 */
export function peekBase(
  store: Store,
  organisationId: string,
  modelId: string,
): TargetingModel | undefined {
  const hit = cacheFor(store).models.get(modelId);
  return hit && hit.organisationId === organisationId ? hit.base : undefined;
}

export function cachedAsOf(
  store: Store,
  modelId: string,
  date: string,
  fingerprint: string,
): TargetingModel | undefined {
  const entry = cacheFor(store).models.get(modelId);
  const hit = entry?.asOf.get(date);
  if (!entry || !hit || hit.fingerprint !== fingerprint) return undefined;
  entry.asOf.delete(date);
  entry.asOf.set(date, hit);
  return hit.model;
}

export function rememberAsOf(
  store: Store,
  modelId: string,
  date: string,
  fingerprint: string,
  model: TargetingModel,
): void {
  const entry = cacheFor(store).models.get(modelId);
  if (!entry) return;
  entry.asOf.delete(date);
  entry.asOf.set(date, { fingerprint, model });
  while (entry.asOf.size > AS_OF_LIMIT) entry.asOf.delete(entry.asOf.keys().next().value as string);
}

/** Empties the cache of a store (tests compare cached answers with freshly computed ones). */
export function clearTargetingModelCache(store: Store): void {
  caches.delete(store);
}
