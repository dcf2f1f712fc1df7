import { randomBytes } from 'node:crypto';
import { isInterdictError } from '@interdict/core';
import type { Actor, Store } from '@interdict/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openEngineStore, type EngineStore } from '../../../store/src/test-support';
import { createServices, type Services } from '../services';
import { TOKEN_RECORD_TYPE, USER_RECORD_TYPE } from './records';

// The platform's role checks and policies (moved here from the store's suites with their
// assertions: issue 12 §2), and its decisions of consequence on the ledger (issue 12 §6): a user
// created, a role changed, a user disabled or re-enabled, a token created or revoked. Both engines.

const PASSWORD = 'platform test password';

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isInterdictError(error), String(error)).toBe(true);
  expect((error as { code: string }).code).toBe(code);
}

/** Ledger entries stored (sequenced or not): what a decision adds, whoever may read it. */
async function ledgerSize(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const engine of ENGINES) {
  describe(`platform service (${engine})`, () => {
    let opened: EngineStore;
    let store: Store;
    let services: Services;
    /** The instance's operator (the CLI): admin of the home organisation, no user. */
    let system: Actor;
    let homeAdmin: Actor;
    let homeAnalyst: Actor;
    let agencyId: string;
    let agencyAdmin: Actor;
    let agencyOfficer: Actor;
    let agencyViewer: Actor;

    async function member(
      email: string,
      role: Actor['role'],
      organisationId: string,
      home: boolean,
    ): Promise<Actor> {
      const { user } = await store.users.create(system, {
        email,
        name: email,
        role,
        organisationId,
        password: PASSWORD,
      });
      return { userId: user.id, organisationId, role, home };
    }

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'platform');
      store = opened.store;
      system = opened.actor;
      services = createServices(store, {
        closeStore: false,
        ledger: { key: randomBytes(32).toString('base64'), checkpointIntervalMs: 50 },
      });
      const agency = await store.organisations.create(system, { name: 'Agency', kind: 'agency' });
      agencyId = agency.id;
      homeAdmin = await member('admin@home.example', 'admin', system.organisationId, true);
      homeAnalyst = await member('analyst@home.example', 'analyst', system.organisationId, true);
      agencyAdmin = await member('admin@agency.example', 'admin', agencyId, false);
      agencyOfficer = await member('officer@agency.example', 'officer', agencyId, false);
      agencyViewer = await member('viewer@agency.example', 'viewer', agencyId, false);
    });

    afterAll(async () => {
      await services?.close();
      await opened?.close();
    });

    describe('role checks and policies, before any work', () => {
      it('lets only the home organisation’s admins create organisations', async () => {
        await expectCode(
          services.platform.organisations.create(agencyAdmin, { name: 'Rogue', kind: 'hub' }),
          'FORBIDDEN',
        );
        const created = await services.platform.organisations.create(homeAdmin, {
          name: 'Insurer',
          kind: 'insurer',
        });
        expect(created.kind).toBe('insurer');
        expect((await store.organisations.list(system)).items.map((o) => o.name)).not.toContain(
          'Rogue',
        );
      });

      it('lets only admins list users, and a non-admin read only themself', async () => {
        await expectCode(services.platform.users.list(agencyOfficer), 'FORBIDDEN');
        expect((await services.platform.users.get(agencyOfficer, agencyOfficer.userId!)).id).toBe(
          agencyOfficer.userId,
        );
        await expectCode(
          services.platform.users.get(agencyOfficer, agencyAdmin.userId!),
          'NOT_FOUND',
        );
        await expectCode(services.platform.users.get(agencyAdmin, homeAdmin.userId!), 'NOT_FOUND');
        const listed = await services.platform.users.list(agencyAdmin);
        expect(listed.items.every((u) => u.organisationId === agencyId)).toBe(true);
      });

      it('refuses self-demotion and changes by non-admins, and logs nothing for them', async () => {
        const before = await ledgerSize(store);
        await expectCode(
          services.platform.users.update(agencyAdmin, agencyAdmin.userId!, { role: 'viewer' }),
          'FORBIDDEN',
        );
        await expectCode(
          services.platform.users.update(agencyAdmin, agencyAdmin.userId!, { disabled: true }),
          'FORBIDDEN',
        );
        await expectCode(
          services.platform.users.update(agencyOfficer, agencyViewer.userId!, { role: 'admin' }),
          'FORBIDDEN',
        );
        await expectCode(
          services.platform.users.create(agencyOfficer, {
            email: 'sneaky@agency.example',
            name: 'Sneaky',
            role: 'admin',
          }),
          'FORBIDDEN',
        );
        expect((await store.users.get(system, agencyAdmin.userId!)).role).toBe('admin');
        expect((await store.users.get(system, agencyViewer.userId!)).role).toBe('viewer');
        expect(await ledgerSize(store)).toBe(before);
      });

      it('lets no token mint tokens, and nobody grant more than their own role', async () => {
        const { secret } = await services.platform.tokens.create(homeAdmin, {
          name: 'ci',
          role: 'analyst',
          expiresInDays: 30,
        });
        const auth = await services.platform.tokens.authenticate(secret);
        expect(auth?.actor).toMatchObject({
          role: 'analyst',
          organisationId: system.organisationId,
        });
        const before = await ledgerSize(store);
        await expectCode(
          services.platform.tokens.create(auth!.actor, { name: 'chain', expiresInDays: 1 }),
          'FORBIDDEN',
        );
        await expectCode(
          services.platform.tokens.create(homeAnalyst, {
            name: 'up',
            role: 'admin',
            expiresInDays: 1,
          }),
          'FORBIDDEN',
        );
        expect(await ledgerSize(store)).toBe(before);
      });

      it('shows a non-admin only their own tokens, and lets them revoke only those', async () => {
        const mine = await services.platform.tokens.create(agencyOfficer, {
          name: 'officer script',
          expiresInDays: 1,
        });
        const colleague = await services.platform.tokens.create(agencyAdmin, {
          name: 'admin script',
          expiresInDays: 1,
        });
        const seen = (await services.platform.tokens.list(agencyOfficer)).items.map((t) => t.id);
        expect(seen).toContain(mine.token.id);
        expect(seen).not.toContain(colleague.token.id);
        await expectCode(
          services.platform.tokens.revoke(agencyOfficer, colleague.token.id),
          'NOT_FOUND',
        );
        expect(await services.platform.tokens.authenticate(colleague.secret)).toBeDefined();
        const all = (await services.platform.tokens.list(agencyAdmin)).items.map((t) => t.id);
        expect(all).toEqual(expect.arrayContaining([mine.token.id, colleague.token.id]));
        // Another organisation's admin, even the instance admin, sees none of them.
        for (const outsider of [homeAdmin, system]) {
          const theirs = (await services.platform.tokens.list(outsider)).items.map((t) => t.id);
          expect(theirs).not.toContain(mine.token.id);
          expect(theirs).not.toContain(colleague.token.id);
          await expectCode(services.platform.tokens.revoke(outsider, mine.token.id), 'NOT_FOUND');
        }
        // The operator's viewer token has no user: a non-admin token of it sees no tokens.
        const operatorViewer: Actor = { ...system, role: 'viewer', tokenId: colleague.token.id };
        expect((await services.platform.tokens.list(operatorViewer)).items).toEqual([]);
      });

      it('lets only admins read the audit log', async () => {
        await expectCode(services.platform.audit.list(agencyViewer), 'FORBIDDEN');
        const scoped = await services.platform.audit.list(agencyAdmin, { limit: 500 });
        expect(scoped.items.every((e) => e.organisationId === agencyId)).toBe(true);
      });

      it('lets nobody without the right list or end another user’s sessions', async () => {
        const alice = await member('alice@agency.example', 'viewer', agencyId, false);
        const bob = await member('bob@agency.example', 'viewer', agencyId, false);
        const bobs = await services.platform.sessions.signIn('bob@agency.example', PASSWORD);
        const [bobSession] = (await services.platform.sessions.list(bob)).items;
        // A colleague (not an admin) may neither list nor end them.
        await expectCode(
          services.platform.sessions.list(alice, { userId: bob.userId! }),
          'FORBIDDEN',
        );
        await expectCode(services.platform.sessions.revoke(alice, bobSession!.id), 'NOT_FOUND');
        await expectCode(services.platform.sessions.revokeAllOf(alice, bob.userId!), 'FORBIDDEN');
        expect(await services.platform.sessions.resolve(bobs.sessionSecret)).toBeDefined();
        // Another organisation's admin cannot even see that the user exists.
        const port = await store.organisations.create(system, { name: 'Port', kind: 'agency' });
        const outsider = await member('admin@port.example', 'admin', port.id, false);
        await expectCode(
          services.platform.sessions.list(outsider, { userId: bob.userId! }),
          'NOT_FOUND',
        );
        await expectCode(services.platform.sessions.revoke(outsider, bobSession!.id), 'NOT_FOUND');
        await expectCode(
          services.platform.sessions.revokeAllOf(outsider, bob.userId!),
          'NOT_FOUND',
        );
        // Their admin may.
        expect(
          (await services.platform.sessions.list(agencyAdmin, { userId: bob.userId! })).items,
        ).toHaveLength(1);
        await services.platform.sessions.revoke(agencyAdmin, bobSession!.id);
        expect(await services.platform.sessions.resolve(bobs.sessionSecret)).toBeUndefined();
      });
    });

    describe('decisions committed to the ledger with the change', () => {
      /** The one entry a decision added: readable by `reader`, of `type`, about `subjectId`. */
      async function onlyNewEntry(reader: Actor, type: string, subjectId: string, since: number) {
        expect(await ledgerSize(store)).toBe(since + 1);
        const entries = await services.ledger.entriesFor(reader, type, subjectId);
        const entry = entries.at(-1);
        expect(entry?.recordType).toBe(type);
        expect(entry?.index).not.toBeNull();
        return entry!;
      }

      /** Another organisation's member reads neither the entry nor the record's entries. */
      async function hiddenFrom(outsider: Actor, type: string, id: string, index: number) {
        await expectCode(services.ledger.get(outsider, index), 'NOT_FOUND');
        expect(await services.ledger.entriesFor(outsider, type, id)).toEqual([]);
      }

      it('records a user created with the role given, readable only by the organisation', async () => {
        const before = await ledgerSize(store);
        const { user } = await services.platform.users.create(agencyAdmin, {
          email: 'new.officer@agency.example',
          name: 'New Officer',
          role: 'officer',
        });
        const entry = await onlyNewEntry(agencyViewer, USER_RECORD_TYPE, user.id, before);
        expect(entry.subject).toEqual({ type: USER_RECORD_TYPE, id: user.id });
        expect(entry.body).toEqual({
          action: 'created',
          by: {
            userId: agencyAdmin.userId,
            email: 'admin@agency.example',
            tokenId: null,
            organisationId: agencyId,
            role: 'admin',
          },
          user: {
            id: user.id,
            email: 'new.officer@agency.example',
            organisationId: agencyId,
            name: 'New Officer',
            role: 'officer',
            disabled: false,
          },
        });
        expect((await services.ledger.get(agencyAdmin, entry.index!)).body).toEqual(entry.body);
        await hiddenFrom(homeAnalyst, USER_RECORD_TYPE, user.id, entry.index!);
        // The instance admin sees that an entry exists (metadata), never its body.
        const [seen] = await services.ledger.entriesFor(homeAdmin, USER_RECORD_TYPE, user.id);
        expect(seen?.body).toBeNull();
        expect(seen?.opening).toBeNull();
      });

      it('records a change of role with its before and after, and who made it', async () => {
        const target = await member('promoted@agency.example', 'viewer', agencyId, false);
        const before = await ledgerSize(store);
        const after = await services.platform.users.update(agencyAdmin, target.userId!, {
          role: 'analyst',
        });
        expect(after.role).toBe('analyst');
        const entry = await onlyNewEntry(agencyOfficer, USER_RECORD_TYPE, target.userId!, before);
        expect(entry.body).toMatchObject({
          action: 'changed',
          changed: ['role'],
          by: { userId: agencyAdmin.userId, email: 'admin@agency.example' },
          user: { id: target.userId, email: 'promoted@agency.example' },
          before: { role: 'viewer', disabled: false },
          after: { role: 'analyst', disabled: false },
        });
        await hiddenFrom(homeAnalyst, USER_RECORD_TYPE, target.userId!, entry.index!);
      });

      it('records a user disabled and re-enabled, one entry each; a rename records nothing', async () => {
        const target = await member('paused@agency.example', 'officer', agencyId, false);
        let size = await ledgerSize(store);
        await services.platform.users.update(agencyAdmin, target.userId!, { disabled: true });
        const disabled = await onlyNewEntry(agencyAdmin, USER_RECORD_TYPE, target.userId!, size);
        expect(disabled.body).toMatchObject({
          changed: ['disabled'],
          before: { role: 'officer', disabled: false },
          after: { role: 'officer', disabled: true },
        });
        size = await ledgerSize(store);
        await services.platform.users.update(agencyAdmin, target.userId!, { disabled: false });
        const enabled = await onlyNewEntry(agencyAdmin, USER_RECORD_TYPE, target.userId!, size);
        expect(enabled.body).toMatchObject({
          before: { disabled: true },
          after: { disabled: false },
        });
        size = await ledgerSize(store);
        await services.platform.users.update(agencyAdmin, target.userId!, { name: 'Renamed' });
        await services.platform.users.update(agencyAdmin, target.userId!, { role: 'officer' });
        expect(await ledgerSize(store)).toBe(size);
        await hiddenFrom(homeAnalyst, USER_RECORD_TYPE, target.userId!, enabled.index!);
      });

      it('names the instance’s operator when the CLI decides', async () => {
        const before = await ledgerSize(store);
        const { user } = await services.platform.users.create(system, {
          email: 'cli.made@home.example',
          name: 'CLI made',
          role: 'viewer',
        });
        const entry = await onlyNewEntry(homeAnalyst, USER_RECORD_TYPE, user.id, before);
        expect(entry.body).toMatchObject({
          by: { userId: null, email: null, tokenId: null, role: 'admin' },
          user: { role: 'viewer' },
        });
        await hiddenFrom(agencyAdmin, USER_RECORD_TYPE, user.id, entry.index!);
      });

      it('records a token created (never its secret) and revoked, once', async () => {
        let size = await ledgerSize(store);
        const { token, secret } = await services.platform.tokens.create(agencyOfficer, {
          name: 'nightly batch',
          role: 'viewer',
          expiresInDays: 7,
        });
        const created = await onlyNewEntry(agencyViewer, TOKEN_RECORD_TYPE, token.id, size);
        expect(created.subject).toEqual({ type: TOKEN_RECORD_TYPE, id: token.id });
        expect(created.body).toEqual({
          action: 'created',
          by: {
            userId: agencyOfficer.userId,
            email: 'officer@agency.example',
            tokenId: null,
            organisationId: agencyId,
            role: 'officer',
          },
          token: {
            id: token.id,
            name: 'nightly batch',
            role: 'viewer',
            organisationId: agencyId,
            ownerId: agencyOfficer.userId,
            expiresAt: token.expiresAt,
          },
        });
        const hash = (
          await store.db
            .selectFrom('api_tokens')
            .select('secret_hash')
            .where('id', '=', token.id)
            .executeTakeFirstOrThrow()
        ).secret_hash;
        for (const text of [JSON.stringify(created), created.envelope]) {
          expect(text).not.toContain(secret);
          expect(text).not.toContain(secret.slice(4));
          expect(text).not.toContain(hash);
        }

        size = await ledgerSize(store);
        const revoked = await services.platform.tokens.revoke(agencyAdmin, token.id);
        const entry = await onlyNewEntry(agencyOfficer, TOKEN_RECORD_TYPE, token.id, size);
        expect(entry.body).toMatchObject({
          action: 'revoked',
          by: { userId: agencyAdmin.userId },
          token: { id: token.id, ownerId: agencyOfficer.userId },
          before: { revokedAt: null },
          after: { revokedAt: revoked.revokedAt },
        });
        expect(await services.platform.tokens.authenticate(secret)).toBeUndefined();
        // Revoking again changes nothing, and records nothing.
        await services.platform.tokens.revoke(agencyAdmin, token.id);
        expect(await ledgerSize(store)).toBe(size + 1);
        await hiddenFrom(homeAnalyst, TOKEN_RECORD_TYPE, token.id, entry.index!);
        await hiddenFrom(homeAnalyst, TOKEN_RECORD_TYPE, token.id, created.index!);
      });

      it('refuses a decision on what does not exist or is another organisation’s, and logs nothing', async () => {
        const size = await ledgerSize(store);
        const users = await store.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        const missing = crypto.randomUUID();
        const homeToken = await store.tokens.create(homeAdmin, { name: 'home', expiresInDays: 1 });
        await expectCode(
          services.platform.users.update(agencyAdmin, missing, { role: 'admin' }),
          'NOT_FOUND',
        );
        await expectCode(
          services.platform.users.update(agencyAdmin, homeAnalyst.userId!, { role: 'admin' }),
          'NOT_FOUND',
        );
        await expectCode(
          services.platform.users.update(agencyAdmin, homeAnalyst.userId!, { disabled: true }),
          'NOT_FOUND',
        );
        await expectCode(
          services.platform.users.create(agencyAdmin, {
            email: 'planted@home.example',
            name: 'Planted',
            role: 'admin',
            organisationId: system.organisationId,
          }),
          'NOT_FOUND',
        );
        await expectCode(
          services.platform.users.create(agencyAdmin, {
            email: 'officer@agency.example',
            name: 'Duplicate',
            role: 'viewer',
          }),
          'CONFLICT',
        );
        await expectCode(services.platform.tokens.revoke(agencyAdmin, missing), 'NOT_FOUND');
        await expectCode(services.platform.tokens.revoke(agencyAdmin, 'not-a-uuid'), 'NOT_FOUND');
        await expectCode(
          services.platform.tokens.revoke(agencyAdmin, homeToken.token.id),
          'NOT_FOUND',
        );
        await expectCode(
          services.platform.tokens.create(agencyAdmin, { name: 'forever', expiresInDays: 10_000 }),
          'INVALID_ARGUMENT',
        );
        expect(await ledgerSize(store)).toBe(size);
        const after = await store.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        expect(Number(after.n)).toBe(Number(users.n));
        expect((await store.users.get(system, homeAnalyst.userId!)).role).toBe('analyst');
        expect(await services.platform.tokens.authenticate(homeToken.secret)).toBeDefined();
      });
    });
  });
}
