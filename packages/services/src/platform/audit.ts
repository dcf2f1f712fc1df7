import type { Actor, AuditEvent, Page } from '@interdict/store';
import { requireRole } from '../access';
import type { PlatformDeps } from './deps';

/**
 * The audit log: every sign-in and change, with its outcome. Admins read their organisation's
 * events; the instance admin reads all, including failed sign-ins for unknown accounts, which
 * belong to no organisation.
 */
export class AuditService {
  constructor(private readonly deps: PlatformDeps) {}

  /** Newest first, in pages of `limit` (default 50, at most 500) after `cursor`. */
  async list(
    actor: Actor,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<Page<AuditEvent>> {
    requireRole(actor, 'admin');
    return this.deps.store.audit.list(actor, options);
  }
}
