import { registerIngestKind } from '@interdict/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, closeWorld, makeWorld, type Member, type World } from '../testing';

// Issue 12 §6 over HTTP: the platform's decisions of consequence — a user created with a role, a
// role changed, a user disabled or re-enabled, an API token created or revoked — each add exactly
// one ledger entry, committed with the change, whose body an entitled reader sees and names the
// change; a member of another organisation gets 404 on the entry and no items for the record.
// Bad input (a user or token that does not exist, or another organisation's) is refused with a
// clear problem and adds no entry.

interface Entry {
  index: number;
  recordType: string;
  subject: { type: string; id: string } | null;
  body: Record<string, unknown> | null;
}

let w: World;
let unregister: () => void;

async function ledgerSize(): Promise<number> {
  const row = await w.store.db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function json<T>(res: Response, status: number): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
}

/** The entries about one record, as `member` sees them. */
async function entriesAbout(member: Member, type: string, id: string): Promise<Entry[]> {
  const res = await call(w.app, member, 'GET', `/api/ledger/subjects/${type}/${id}`);
  return (await json<{ items: Entry[] }>(res, 200)).items;
}

/**
 * The decision added exactly one entry about `id`; `reader` (of the deciding organisation) reads
 * its body through GET /api/ledger/entries/{index}, and `outsider` (another organisation) gets 404
 * there and no items for the record.
 */
async function oneEntry(
  since: number,
  type: string,
  id: string,
  reader: Member,
  outsider: Member,
): Promise<Entry> {
  expect(await ledgerSize()).toBe(since + 1);
  const about = await entriesAbout(reader, type, id);
  const last = about.at(-1);
  expect(last?.subject).toEqual({ type, id });
  const entry = await json<Entry>(
    await call(w.app, reader, 'GET', `/api/ledger/entries/${last?.index}`),
    200,
  );
  expect(entry.recordType).toBe(type);
  expect((await call(w.app, outsider, 'GET', `/api/ledger/entries/${entry.index}`)).status).toBe(
    404,
  );
  expect(await entriesAbout(outsider, type, id)).toEqual([]);
  return entry;
}

beforeAll(async () => {
  w = await makeWorld({}, { ledger: { checkpointIntervalMs: 50 } });
  unregister = registerIngestKind({
    kind: 'test-cancel-waits',
    description: 'test only: waits until cancelled',
    fileHint: 'anything',
    async run(ctx) {
      ctx.progress(1);
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener('abort', () => resolve());
      });
      return {};
    },
  });
});

afterAll(async () => {
  unregister?.();
  await closeWorld(w);
});

describe('platform decisions on the ledger', () => {
  it('records a user created with their role (platform.user)', async () => {
    const { admin, viewer } = w.members.agency;
    const before = await ledgerSize();
    const user = await json<{ id: string; role: string }>(
      await call(w.app, admin, 'POST', '/api/users', {
        email: 'new.analyst@agency.example',
        name: 'New Analyst',
        role: 'analyst',
      }),
      201,
    );
    const entry = await oneEntry(before, 'platform.user', user.id, viewer, w.members.home.analyst);
    expect(entry.body).toMatchObject({
      action: 'created',
      by: { userId: admin.id, email: admin.email, role: 'admin' },
      user: {
        id: user.id,
        email: 'new.analyst@agency.example',
        role: 'analyst',
        organisationId: w.agencyId,
      },
    });
  });

  it('records a role changed, and a user disabled and re-enabled, with before and after', async () => {
    const { admin, officer } = w.members.agency;
    const outsider = w.members.home.viewer;
    const target = await json<{ id: string }>(
      await call(w.app, admin, 'POST', '/api/users', {
        email: 'target@agency.example',
        name: 'Target',
        role: 'viewer',
      }),
      201,
    );
    let size = await ledgerSize();
    await json(
      await call(w.app, admin, 'PATCH', `/api/users/${target.id}`, { role: 'officer' }),
      200,
    );
    const promoted = await oneEntry(size, 'platform.user', target.id, officer, outsider);
    expect(promoted.body).toMatchObject({
      action: 'changed',
      changed: ['role'],
      by: { userId: admin.id },
      before: { role: 'viewer', disabled: false },
      after: { role: 'officer', disabled: false },
    });
    for (const disabled of [true, false]) {
      size = await ledgerSize();
      await json(await call(w.app, admin, 'PATCH', `/api/users/${target.id}`, { disabled }), 200);
      const entry = await oneEntry(size, 'platform.user', target.id, officer, outsider);
      expect(entry.body).toMatchObject({
        changed: ['disabled'],
        before: { disabled: !disabled },
        after: { role: 'officer', disabled },
      });
    }
  });

  it('records an API token created, without its secret, and revoked (platform.token)', async () => {
    const { analyst, admin, viewer } = w.members.home;
    const outsider = w.members.agency.admin;
    let size = await ledgerSize();
    const created = await json<{ token: { id: string; expiresAt: string }; secret: string }>(
      await call(w.app, analyst, 'POST', '/api/tokens', { name: 'nightly', expiresInDays: 7 }),
      201,
    );
    const id = created.token.id;
    const entry = await oneEntry(size, 'platform.token', id, viewer, outsider);
    expect(entry.body).toMatchObject({
      action: 'created',
      by: { userId: analyst.id },
      token: {
        id,
        name: 'nightly',
        role: 'analyst',
        ownerId: analyst.id,
        expiresAt: created.token.expiresAt,
      },
    });
    expect(JSON.stringify(entry)).not.toContain(created.secret);

    size = await ledgerSize();
    expect((await call(w.app, admin, 'DELETE', `/api/tokens/${id}`)).status).toBe(204);
    const revoked = await oneEntry(size, 'platform.token', id, viewer, outsider);
    expect(revoked.body).toMatchObject({
      action: 'revoked',
      by: { userId: admin.id },
      before: { revokedAt: null },
    });
    // Revoking again changes nothing and records nothing.
    expect((await call(w.app, admin, 'DELETE', `/api/tokens/${id}`)).status).toBe(204);
    expect(await ledgerSize()).toBe(size + 1);
  });

  it('refuses a decision on what does not exist or is another organisation’s, adding no entry', async () => {
    const { admin } = w.members.agency;
    const homeUser = w.members.home.analyst;
    const homeToken = await json<{ token: { id: string } }>(
      await call(w.app, w.members.home.admin, 'POST', '/api/tokens', {
        name: 'home',
        expiresInDays: 1,
      }),
      201,
    );
    const size = await ledgerSize();
    const refusals: [string, string, unknown, number][] = [
      ['PATCH', `/api/users/${crypto.randomUUID()}`, { role: 'admin' }, 404],
      ['PATCH', `/api/users/${homeUser.id}`, { role: 'admin' }, 404],
      ['PATCH', `/api/users/${homeUser.id}`, { disabled: true }, 404],
      ['PATCH', `/api/users/${admin.id}`, { role: 'viewer' }, 403],
      [
        'POST',
        '/api/users',
        { email: 'x@home.example', name: 'X', role: 'admin', organisationId: w.homeId },
        404,
      ],
      [
        'POST',
        '/api/users',
        { email: w.members.agency.viewer.email, name: 'D', role: 'admin' },
        409,
      ],
      ['DELETE', `/api/tokens/${crypto.randomUUID()}`, undefined, 404],
      ['DELETE', `/api/tokens/${homeToken.token.id}`, undefined, 404],
    ];
    for (const [method, path, body, status] of refusals) {
      const res = await call(w.app, admin, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(((await res.json()) as { detail: string }).detail.length).toBeGreaterThan(0);
    }
    expect(await ledgerSize()).toBe(size);
    const me = await json<{ items: { id: string; role: string }[] }>(
      await call(w.app, w.members.home.admin, 'GET', `/api/users?organisationId=${w.homeId}`),
      200,
    );
    expect(me.items.find((u) => u.id === homeUser.id)?.role).toBe('analyst');
  });
});

describe('POST /api/jobs/{id}/cancel', () => {
  async function startWaitingJob(member: Member): Promise<string> {
    const form = new FormData();
    form.set('kind', 'test-cancel-waits');
    form.set('file', new File(['x'], 'wait.txt'));
    return (await json<{ id: string }>(await call(w.app, member, 'POST', '/api/jobs', form), 202))
      .id;
  }

  it('cancels a running job for an ingester of its organisation only; the job then fails', async () => {
    const id = await startWaitingJob(w.members.agency.analyst);
    expect((await call(w.app, undefined, 'POST', `/api/jobs/${id}/cancel`)).status).toBe(401);
    expect(
      (await call(w.app, w.members.agency.viewer, 'POST', `/api/jobs/${id}/cancel`)).status,
    ).toBe(403);
    expect(
      (await call(w.app, w.members.home.analyst, 'POST', `/api/jobs/${id}/cancel`)).status,
    ).toBe(404);
    expect(
      (await call(w.app, w.members.agency.admin, 'POST', `/api/jobs/${id}/cancel`)).status,
    ).toBe(202);
    let job = { status: 'running', error: null as string | null };
    for (let i = 0; i < 100 && job.status === 'running'; i++) {
      job = await json(await call(w.app, w.members.agency.admin, 'GET', `/api/jobs/${id}`), 200);
      if (job.status === 'running') await new Promise((r) => setTimeout(r, 20));
    }
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/cancelled/);
    const again = await call(w.app, w.members.agency.admin, 'POST', `/api/jobs/${id}/cancel`);
    expect(again.status).toBe(409);
  });
});
