import type { Kysely } from 'kysely';
import { isInstanceAdmin, isOrganisationKind, type Actor, type OrganisationKind } from '../actor';
import type { Database } from '../database';
import { StoreError } from '../errors';
import { recordAudit } from './audit';
import { isUuid, toOrganisation, type Organisation, type Page } from './model';
import { inTransaction, isUniqueViolation } from './tx';

export function checkName(value: unknown, field: string, max = 200): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    throw new StoreError('INVALID_ARGUMENT', `${field} must be 1–${max} characters`, {
      details: { field },
    });
  }
  return value.trim();
}

export class OrganisationsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Everyone sees their own organisation; the instance admin sees all. */
  async list(actor: Actor): Promise<Page<Organisation>> {
    let q = this.db.selectFrom('organisations').selectAll().orderBy('created_at').orderBy('id');
    if (!isInstanceAdmin(actor)) q = q.where('id', '=', actor.organisationId);
    return { items: (await q.execute()).map(toOrganisation) };
  }

  /** NOT_FOUND (not FORBIDDEN) outside the actor's reach, so existence does not leak. */
  async get(actor: Actor, id: string): Promise<Organisation> {
    const row =
      isUuid(id) && (isInstanceAdmin(actor) || id === actor.organisationId)
        ? await this.db
            .selectFrom('organisations')
            .selectAll()
            .where('id', '=', id)
            .executeTakeFirst()
        : undefined;
    if (!row) throw new StoreError('NOT_FOUND', `organisation ${id} not found`);
    return toOrganisation(row);
  }

  /**
   * Stores a new organisation with its audit event (who may create one is the platform
   * service's decision: the instance admin).
   */
  async create(
    actor: Actor,
    input: { name: string; kind: OrganisationKind },
    meta: { ip?: string | null } = {},
  ): Promise<Organisation> {
    const name = checkName(input.name, 'name');
    if (!isOrganisationKind(input.kind)) {
      throw new StoreError('INVALID_ARGUMENT', 'kind must be agency, hub or insurer', {
        details: { field: 'kind' },
      });
    }
    try {
      return await inTransaction(this.db, async (trx) => {
        const row = await trx
          .insertInto('organisations')
          .values({ id: crypto.randomUUID(), name, kind: input.kind })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(trx, {
          action: 'organisation.create',
          actor,
          targetType: 'organisation',
          targetId: row.id,
          ip: meta.ip ?? null,
          details: { name, kind: input.kind },
        });
        return toOrganisation(row);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new StoreError('CONFLICT', `an organisation named ${name} exists`, {
          details: { field: 'name' },
        });
      }
      throw error;
    }
  }

  async home(): Promise<Organisation | undefined> {
    const row = await this.db
      .selectFrom('organisations')
      .selectAll()
      .where('is_home', '=', true)
      .executeTakeFirst();
    return row ? toOrganisation(row) : undefined;
  }
}
