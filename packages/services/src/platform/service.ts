import {
  bootstrapStore,
  type Actor,
  type BootstrapOptions,
  type BootstrapResult,
} from '@interdict/store';
import { AuditService } from './audit';
import type { PlatformDeps } from './deps';
import { OrganisationsService } from './organisations';
import { SessionsService } from './sessions';
import { TokensService } from './tokens';
import { UsersService } from './users';

export type { PlatformDeps } from './deps';

/**
 * The platform use cases (issue 12 §1): organisations, users, API tokens, sign-in and sessions,
 * and the audit log. Role checks and policies live here, before any work is done; the store
 * scopes its queries to the actor's organisation and does the I/O. Users' creation and role
 * changes and tokens' creation and revocation are committed to the ledger with the change.
 */
export class PlatformService {
  readonly organisations: OrganisationsService;
  readonly users: UsersService;
  readonly tokens: TokensService;
  readonly sessions: SessionsService;
  readonly audit: AuditService;

  constructor(private readonly deps: PlatformDeps) {
    this.organisations = new OrganisationsService(deps);
    this.users = new UsersService(deps);
    this.tokens = new TokensService(deps);
    this.sessions = new SessionsService(deps);
    this.audit = new AuditService(deps);
  }

  /**
   * First start: on an empty database, the home organisation (kind `hub`) and its first admin,
   * with `adminPassword` or a one-time password returned here to be shown once. Later calls
   * change nothing (`created: false`).
   */
  bootstrap(options: BootstrapOptions = {}): Promise<BootstrapResult> {
    return bootstrapStore(this.deps.store, options);
  }

  /**
   * The instance's operator: an admin of the home organisation with no user behind it, as whom
   * the CLI and the demo loader act (audit events and ledger records name no user). NOT_FOUND
   * before `bootstrap`.
   */
  operator(): Promise<Actor> {
    return this.deps.store.systemActor();
  }

  /** Releases what this service started (nothing: what it remembers is the store's cache). */
  async close(): Promise<void> {
    await Promise.resolve();
  }
}
