import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import { sha256Hex } from '../secrets';
import type { Store } from '../store';
import { ENGINES, expectStoreError, openEngineStore, type EngineStore } from '../test-support';

const PASSWORD = 'sessions test password';

interface Person {
  actor: Actor;
  email: string;
}

for (const engine of ENGINES) {
  describe(`sessions a user can see and end (${engine})`, () => {
    let opened: EngineStore;
    let store: Store;
    let alice: Person; // viewer, home organisation
    let bob: Person; // viewer, home organisation
    let agencyAdmin: Person;
    let carol: Person; // viewer, the agency

    async function person(
      email: string,
      role: 'viewer' | 'admin',
      organisationId: string,
    ): Promise<Person> {
      const { user } = await store.users.create(opened.actor, {
        email,
        name: email,
        role,
        organisationId,
        password: PASSWORD,
      });
      return { email, actor: { userId: user.id, organisationId, role, home: false } };
    }

    beforeAll(async () => {
      opened = await openEngineStore(engine, 'sessions');
      store = opened.store;
      const home = opened.actor.organisationId;
      const agency = await store.organisations.create(opened.actor, {
        name: 'Agency',
        kind: 'agency',
      });
      alice = await person('alice@home.example', 'viewer', home);
      alice = { ...alice, actor: { ...alice.actor, home: true } };
      bob = await person('bob@home.example', 'viewer', home);
      agencyAdmin = await person('admin@agency.example', 'admin', agency.id);
      carol = await person('carol@agency.example', 'viewer', agency.id);
    });

    afterAll(async () => {
      await opened?.close();
    });

    it('lists one’s own live sessions, flags the current one, and never shows a secret', async () => {
      const first = await store.auth.signIn(alice.email, PASSWORD, {
        ip: '192.0.2.1',
        userAgent: 'Browser A',
      });
      const second = await store.auth.signIn(alice.email, PASSWORD, { ip: '192.0.2.2' });
      const page = await store.auth.listSessions(alice.actor, {
        currentSecret: second.sessionSecret,
      });
      expect(page.items).toHaveLength(2);
      expect(page.items.map((s) => s.current)).toEqual([true, false]);
      expect(page.items[1]).toMatchObject({ ip: '192.0.2.1', userAgent: 'Browser A' });
      const text = JSON.stringify(page);
      for (const secret of [first.sessionSecret, second.sessionSecret]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(sha256Hex(secret));
      }
      expect(Object.keys(page.items[0]!).sort()).toEqual(
        [
          'createdAt',
          'current',
          'expiresAt',
          'id',
          'ip',
          'lastSeenAt',
          'userAgent',
          'userId',
        ].sort(),
      );
      // Pages of one, newest first, without repeats.
      const one = await store.auth.listSessions(alice.actor, { limit: 1 });
      const two = await store.auth.listSessions(alice.actor, { limit: 1, cursor: one.nextCursor! });
      expect([...one.items, ...two.items].map((s) => s.id)).toEqual(page.items.map((s) => s.id));
      expect(two.nextCursor).toBeUndefined();
    });

    it('lets nobody without the right list or end another user’s sessions', async () => {
      const bobs = await store.auth.signIn(bob.email, PASSWORD);
      const carols = await store.auth.signIn(carol.email, PASSWORD);
      const [bobSession] = (await store.auth.listSessions(bob.actor)).items;
      const [carolSession] = (await store.auth.listSessions(carol.actor)).items;
      // That a colleague (not an admin) may neither list nor end them is the platform service's
      // check (packages/services/src/platform/platform.test.ts).
      // An admin of another organisation cannot see that the user exists.
      await expectStoreError(
        store.auth.listSessions(agencyAdmin.actor, { userId: bob.actor.userId! }),
        'NOT_FOUND',
      );
      await expectStoreError(
        store.auth.revokeSession(agencyAdmin.actor, bobSession!.id),
        'NOT_FOUND',
      );
      await expectStoreError(
        store.auth.revokeUserSessions(agencyAdmin.actor, bob.actor.userId!),
        'NOT_FOUND',
      );
      // A user of one organisation cannot end a session of another's.
      await expectStoreError(store.auth.revokeSession(carol.actor, bobSession!.id), 'NOT_FOUND');
      expect(await store.auth.resolveSession(bobs.sessionSecret)).toBeDefined();

      // The agency's admin reaches the agency's user; the instance admin reaches everyone.
      expect(
        (await store.auth.listSessions(agencyAdmin.actor, { userId: carol.actor.userId! })).items,
      ).toHaveLength(1);
      expect(
        (await store.auth.listSessions(opened.actor, { userId: carol.actor.userId! })).items,
      ).toHaveLength(1);
      const ended = await store.auth.revokeSession(agencyAdmin.actor, carolSession!.id, {
        ip: '198.51.100.7',
      });
      expect(ended).toEqual({ userId: carol.actor.userId, current: false });
      expect(await store.auth.resolveSession(carols.sessionSecret)).toBeUndefined();
      const audit = await store.audit.list(agencyAdmin.actor, { limit: 1 });
      expect(audit.items[0]).toMatchObject({
        action: 'session.revoke',
        actorUserId: agencyAdmin.actor.userId,
        targetId: carol.actor.userId,
        ip: '198.51.100.7',
        details: { sessionId: carolSession!.id },
      });
      await expectStoreError(store.auth.revokeSession(alice.actor, 'not-a-uuid'), 'NOT_FOUND');
    });

    it('signs out everywhere else, keeping the asking session', async () => {
      const keep = await store.auth.signIn(bob.email, PASSWORD);
      const other = await store.auth.signIn(bob.email, PASSWORD);
      expect(
        await store.auth.revokeOtherSessions(bob.actor, { keepSecret: keep.sessionSecret }),
      ).toBeGreaterThanOrEqual(1);
      expect(await store.auth.resolveSession(keep.sessionSecret)).toBeDefined();
      expect(await store.auth.resolveSession(other.sessionSecret)).toBeUndefined();
      expect((await store.auth.listSessions(bob.actor)).items).toHaveLength(1);
      const [event] = (await store.audit.list(opened.actor, { limit: 1 })).items;
      expect(event).toMatchObject({ action: 'session.revoke_others', targetId: bob.actor.userId });
    });

    it('ends every session when an admin resets the password or disables the user', async () => {
      const one = await store.auth.signIn(bob.email, PASSWORD);
      await store.auth.signIn(bob.email, PASSWORD);
      await store.users.setPassword(opened.actor, bob.actor.userId!, 'a brand new password');
      expect(await store.auth.resolveSession(one.sessionSecret)).toBeUndefined();
      expect((await store.auth.listSessions(bob.actor)).items).toEqual([]);
      let [event] = (await store.audit.list(opened.actor, { limit: 1 })).items;
      expect(event).toMatchObject({ action: 'user.password' });
      expect(event!.details.sessionsEnded).toBeGreaterThanOrEqual(2);

      const back = await store.auth.signIn(bob.email, 'a brand new password');
      await store.users.update(opened.actor, bob.actor.userId!, { disabled: true });
      expect(await store.auth.resolveSession(back.sessionSecret)).toBeUndefined();
      const rows = await store.db
        .selectFrom('sessions')
        .select('id')
        .where('user_id', '=', bob.actor.userId!)
        .execute();
      expect(rows).toEqual([]);
      [event] = (await store.audit.list(opened.actor, { limit: 1 })).items;
      expect(event).toMatchObject({
        action: 'user.update',
        details: { disabled: true, sessionsEnded: 1 },
      });
    });

    it('ends all of a user’s sessions at an admin’s request', async () => {
      const a = await store.auth.signIn(carol.email, PASSWORD);
      const b = await store.auth.signIn(carol.email, PASSWORD);
      expect(await store.auth.revokeUserSessions(agencyAdmin.actor, carol.actor.userId!)).toBe(2);
      expect(await store.auth.resolveSession(a.sessionSecret)).toBeUndefined();
      expect(await store.auth.resolveSession(b.sessionSecret)).toBeUndefined();
      const [event] = (await store.audit.list(agencyAdmin.actor, { limit: 1 })).items;
      expect(event).toMatchObject({
        action: 'session.revoke_all',
        targetId: carol.actor.userId,
        details: { sessionsEnded: 2 },
      });
    });
  });
}
