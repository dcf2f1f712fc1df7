import type { Actor, Organisation, OrganisationKind, Page } from '@interdict/store';
import { isInstanceAdmin } from '../access';
import { ServiceError } from '../errors';
import type { PlatformDeps, RequestMeta } from './deps';

/**
 * Organisations (agency, hub, insurer) on this instance. Everyone sees their own; the instance
 * admin (an admin of the home organisation) sees and creates the others. A reader out of reach
 * gets NOT_FOUND (the store's scoping), so that existence does not leak.
 */
export class OrganisationsService {
  constructor(private readonly deps: PlatformDeps) {}

  list(actor: Actor): Promise<Page<Organisation>> {
    return this.deps.store.organisations.list(actor);
  }

  get(actor: Actor, id: string): Promise<Organisation> {
    return this.deps.store.organisations.get(actor, id);
  }

  /** Only admins of the home organisation create organisations. */
  async create(
    actor: Actor,
    input: { name: string; kind: OrganisationKind },
    meta: RequestMeta = {},
  ): Promise<Organisation> {
    if (!isInstanceAdmin(actor)) {
      throw new ServiceError(
        'FORBIDDEN',
        'only admins of the home organisation create organisations',
      );
    }
    return this.deps.store.organisations.create(actor, input, meta);
  }
}
