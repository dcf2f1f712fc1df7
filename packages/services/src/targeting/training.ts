import { sha256Hex } from '@interdict/core';
import {
  StoreError,
  recordAudit,
  targetingRepository,
  type Actor,
  type Store,
  type StoredModel,
} from '@interdict/store';
import { TargetingError, type Objective, type TargetingModel } from '@interdict/targeting';
import { ServiceError } from '../errors';
import type { LedgerService } from '../ledger/service';
import type { TargetingModelCache } from './model-cache';
import { modelActivationRecords, modelTrainedRecord } from './records';
import type { TargetingWorkers } from './workers';

export interface TrainModelInput {
  readonly objective: Objective;
  /** Learn only from declarations dated before this day. */
  readonly until?: string;
  readonly groupKey?: boolean;
}

/** An organisation's training in progress, or its last one when that failed. */
export interface TrainingStatus {
  readonly objective: Objective;
  readonly startedAt: string;
  readonly startedBy: string | null;
  readonly status: 'running' | 'failed';
  /** When it failed, and why (failed only). */
  readonly finishedAt?: string;
  readonly error?: string;
}

export interface ModelTrainingDeps {
  readonly store: Store;
  readonly ledger: LedgerService;
  readonly workers: TargetingWorkers;
  readonly cache: TargetingModelCache;
}

/**
 * Training models from stored feedback, one at a time per organisation, remembered by one
 * targeting service: what is running (and since when, by whom), and the last failure until the
 * next training starts — whoever reloaded the page (or a colleague) would otherwise see the
 * progress vanish and no new model.
 */
export class ModelTraining {
  /** Trainings running through this service, by organisation. */
  private readonly running = new Map<string, TrainingStatus>();
  private readonly failed = new Map<string, TrainingStatus>();

  constructor(private readonly deps: ModelTrainingDeps) {}

  /** The organisation's training in progress, or its last one when that failed. */
  status(actor: Actor): TrainingStatus[] {
    const current = this.running.get(actor.organisationId) ?? this.failed.get(actor.organisationId);
    return current ? [current] : [];
  }

  /**
   * Trains a model on every inspected declaration of the organisation (optionally only those
   * dated before `until`) and makes it the active one for its objective. The caller has checked
   * the actor's role. A second training for the same organisation meanwhile is refused: it would
   * only slow both and race to be the active model.
   */
  async train(actor: Actor, input: TrainModelInput): Promise<StoredModel> {
    const org = actor.organisationId;
    const running = this.running.get(org);
    if (running)
      throw new ServiceError(
        'CONFLICT',
        `a ${running.objective} model is already being trained (since ${running.startedAt}): wait for it to finish`,
      );
    const started: TrainingStatus = {
      objective: input.objective,
      startedAt: new Date().toISOString(),
      startedBy: actor.userId,
      status: 'running',
    };
    this.running.set(org, started);
    this.failed.delete(org);
    try {
      return await this.trainNow(actor, input);
    } catch (error) {
      this.failed.set(org, {
        ...started,
        status: 'failed',
        finishedAt: new Date().toISOString(),
        // Only the product's own messages are meant for users; anything else stays in the log.
        error:
          error instanceof ServiceError || error instanceof StoreError
            ? error.message
            : 'internal error (see the server log)',
      });
      throw error;
    } finally {
      this.running.delete(org);
    }
  }

  private async trainNow(actor: Actor, input: TrainModelInput): Promise<StoredModel> {
    const { store, ledger, workers, cache } = this.deps;
    const rows = await targetingRepository(store).declarations(actor, {
      inspectedOnly: true,
      ...(input.until ? { before: input.until } : {}),
    });
    if (rows.length === 0)
      throw new ServiceError('INVALID_ARGUMENT', 'no inspected declarations to train on');
    let trained: TargetingModel;
    try {
      // Bagged members on the service's training threads; the same model as in process.
      trained = await workers.train(
        rows.map((r) => r.declaration),
        { objective: input.objective, features: { groupKey: input.groupKey ?? true } },
      );
    } catch (error) {
      if (error instanceof TargetingError)
        throw new ServiceError('INVALID_ARGUMENT', error.message);
      throw error;
    }
    const id = crypto.randomUUID();
    const body = trained.serialize();
    // The model, its activation (and the previous model's deactivation), the audit event and
    // their ledger records in one transaction.
    const { value: stored } = await ledger.commit(actor, async (tx, record) => {
      const repo = targetingRepository(tx);
      const deactivated = await repo.deactivateModels(actor, input.objective);
      await repo.insertActiveModel(actor, {
        id,
        objective: input.objective,
        training: trained.training,
        body,
      });
      await recordAudit(tx.db, {
        action: 'targeting.model.train',
        actor,
        targetType: 'targeting-model',
        targetId: id,
        details: { objective: input.objective, rows: trained.training.rows, deactivated },
      });
      await record(
        modelTrainedRecord(actor, {
          id,
          trained,
          sha256: sha256Hex(body),
          until: input.until ?? null,
        }),
      );
      for (const r of modelActivationRecords(actor, {
        objective: input.objective,
        activated: id,
        deactivated,
      }))
        await record(r);
      return (await repo.model(actor, id)) as StoredModel;
    });
    cache.forgetModels(actor.organisationId);
    return stored;
  }
}
