import type { Kysely } from 'kysely';
import { isInstanceAdmin, type Actor } from '../actor';
import type { Database } from '../database';
import { StoreError } from '../errors';
import { iso, type AuditEvent, type Page } from './model';

export interface AuditInput {
  action: string;
  outcome?: 'success' | 'failure';
  organisationId?: string | null;
  actor?: Actor | null;
  targetType?: string;
  targetId?: string;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/**
 * Append one audit event through `db` — pass the transaction of the change it records, so the
 * event and the change commit (or vanish) together.
 */
export async function recordAudit(db: Kysely<Database>, input: AuditInput): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      id: crypto.randomUUID(),
      organisation_id: input.organisationId ?? input.actor?.organisationId ?? null,
      actor_user_id: input.actor?.userId ?? null,
      actor_token_id: input.actor?.tokenId ?? null,
      action: input.action,
      outcome: input.outcome ?? 'success',
      target_type: input.targetType ?? null,
      target_id: input.targetId ?? null,
      ip: input.ip ?? null,
      details: JSON.stringify(input.details ?? {}),
    })
    .execute();
}

export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  record(input: AuditInput): Promise<void> {
    return recordAudit(this.db, input);
  }

  /**
   * Newest first: the events of the actor's organisation; for the instance admin, all of them
   * (including failed sign-ins for unknown accounts, which belong to no organisation). Who may
   * read the audit log is the platform service's decision.
   */
  async list(
    actor: Actor,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<Page<AuditEvent>> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    let q = this.db
      .selectFrom('audit_events')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(limit + 1);
    if (!isInstanceAdmin(actor)) q = q.where('organisation_id', '=', actor.organisationId);
    if (options.cursor !== undefined) {
      if (!/^\d{1,15}$/.test(options.cursor)) {
        throw new StoreError('INVALID_ARGUMENT', 'cursor is not one this API issued', {
          details: { field: 'cursor' },
        });
      }
      q = q.where('seq', '<', Number(options.cursor));
    }
    const rows = await q.execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({
        id: r.id,
        organisationId: r.organisation_id,
        actorUserId: r.actor_user_id,
        actorTokenId: r.actor_token_id,
        action: r.action,
        outcome: r.outcome as 'success' | 'failure',
        targetType: r.target_type,
        targetId: r.target_id,
        ip: r.ip,
        details: (r.details ?? {}) as Record<string, unknown>,
        createdAt: iso(r.created_at),
      })),
      ...(rows.length > limit && last ? { nextCursor: String(last.seq) } : {}),
    };
  }
}
