import { ROLES, registerIngestKind, type Role } from '@interdict/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, makeWorld, PASSWORD, type Member, type World } from './testing';

/**
 * The access-control matrix (docs/access-control.md): every endpoint × every role × a member of
 * the home organisation or of another (agency) organisation × a target in the caller's own
 * organisation or in the other one, plus anonymous callers. Each case asserts allow (2xx) or
 * deny (401 anonymous; 403 or 404 otherwise — 404 where existence must not leak).
 */
type Home = 'home' | 'agency';
type Target = 'own' | 'other' | 'none';

interface Ctx {
  world: World;
  /** The organisation the target lives in. */
  orgId: string;
  /** A fresh unique suffix per case, for names and emails. */
  n: number;
  /** Admin of the target organisation, to create targets owned by someone else. */
  targetAdmin: Member;
  /** The caller (undefined when anonymous). */
  member: Member | undefined;
}

/** A fresh signed-in viewer in `orgId`, whose sessions are the target. */
async function victim(world: World, n: number, orgId: string): Promise<{ id: string }> {
  const system = await world.store.systemActor();
  const email = `s${n}@matrix.example`;
  const { user } = await world.store.users.create(system, {
    email,
    name: `Session owner ${n}`,
    role: 'viewer',
    organisationId: orgId,
    password: PASSWORD,
  });
  await world.store.auth.signIn(email, PASSWORD);
  return { id: user.id };
}

interface Endpoint {
  name: string;
  targets: Target[];
  request(ctx: Ctx): Promise<{ method: string; path: string; body?: unknown }>;
  /** Allowed for this role, in this home organisation, on this target? */
  allow(role: Role, home: Home, target: Target): boolean;
}

const anyone = (): boolean => true;
const staff = (role: Role): boolean => role !== 'partner';
const instanceAdmin = (role: Role, home: Home): boolean => role === 'admin' && home === 'home';

const ENDPOINTS: Endpoint[] = [
  {
    name: 'GET /api/auth/me',
    targets: ['none'],
    request: () => Promise.resolve({ method: 'GET', path: '/api/auth/me' }),
    allow: anyone,
  },
  {
    name: 'POST /api/auth/password (own, unchanged)',
    targets: ['none'],
    request: () =>
      Promise.resolve({
        method: 'POST',
        path: '/api/auth/password',
        body: { currentPassword: PASSWORD, newPassword: PASSWORD },
      }),
    allow: anyone,
  },
  {
    name: 'GET /api/organisations',
    targets: ['none'],
    request: () => Promise.resolve({ method: 'GET', path: '/api/organisations' }),
    allow: anyone,
  },
  {
    name: 'GET /api/organisations/{id}',
    targets: ['own', 'other'],
    request: ({ orgId }) => Promise.resolve({ method: 'GET', path: `/api/organisations/${orgId}` }),
    allow: (role, home, target) => target === 'own' || instanceAdmin(role, home),
  },
  {
    name: 'POST /api/organisations',
    targets: ['none'],
    request: ({ n }) =>
      Promise.resolve({
        method: 'POST',
        path: '/api/organisations',
        body: { name: `Org ${n}`, kind: 'insurer' },
      }),
    allow: (role, home) => instanceAdmin(role, home),
  },
  {
    name: 'GET /api/users',
    targets: ['none'],
    request: () => Promise.resolve({ method: 'GET', path: '/api/users' }),
    allow: (role) => role === 'admin',
  },
  {
    name: 'POST /api/users',
    targets: ['own', 'other'],
    request: ({ n, orgId }) =>
      Promise.resolve({
        method: 'POST',
        path: '/api/users',
        body: {
          email: `u${n}@matrix.example`,
          name: `U ${n}`,
          role: 'viewer',
          organisationId: orgId,
        },
      }),
    allow: (role, home, target) => role === 'admin' && (target === 'own' || home === 'home'),
  },
  {
    name: 'PATCH /api/users/{id}',
    targets: ['own', 'other'],
    async request({ world, n, orgId }) {
      const system = await world.store.systemActor();
      const { user } = await world.store.users.create(system, {
        email: `p${n}@matrix.example`,
        name: 'Target',
        role: 'viewer',
        organisationId: orgId,
      });
      return { method: 'PATCH', path: `/api/users/${user.id}`, body: { name: `Renamed ${n}` } };
    },
    allow: (role, home, target) => role === 'admin' && (target === 'own' || home === 'home'),
  },
  {
    name: 'GET /api/tokens',
    targets: ['none'],
    request: () => Promise.resolve({ method: 'GET', path: '/api/tokens' }),
    allow: anyone,
  },
  {
    name: 'POST /api/tokens',
    targets: ['none'],
    request: ({ n }) =>
      Promise.resolve({
        method: 'POST',
        path: '/api/tokens',
        body: { name: `t${n}`, expiresInDays: 1 },
      }),
    allow: anyone,
  },
  {
    name: 'DELETE /api/tokens/{id} (a colleague admin’s token)',
    targets: ['own', 'other'],
    async request({ world, targetAdmin, n }) {
      const actor = {
        userId: targetAdmin.id,
        organisationId: targetAdmin.organisationId,
        role: 'admin' as const,
      };
      const { token } = await world.store.tokens.create(actor, {
        name: `victim ${n}`,
        expiresInDays: 1,
      });
      return { method: 'DELETE', path: `/api/tokens/${token.id}` };
    },
    allow: (role, _home, target) => role === 'admin' && target === 'own',
  },
  {
    name: 'GET /api/sessions (own)',
    targets: ['none'],
    request: () => Promise.resolve({ method: 'GET', path: '/api/sessions?limit=5' }),
    allow: anyone,
  },
  {
    name: 'DELETE /api/sessions/{id} (one’s own other session)',
    targets: ['none'],
    async request({ world, member }) {
      if (!member) return { method: 'DELETE', path: `/api/sessions/${crypto.randomUUID()}` };
      const signed = await world.store.auth.signIn(member.email, PASSWORD);
      const actor = { userId: member.id, organisationId: member.organisationId, role: member.role };
      const { items } = await world.store.auth.listSessions(actor, {
        currentSecret: signed.sessionSecret,
      });
      const id = items.find((s) => s.current)!.id;
      return { method: 'DELETE', path: `/api/sessions/${id}` };
    },
    allow: anyone,
  },
  {
    name: 'DELETE /api/sessions/{id} (a colleague’s session)',
    targets: ['own', 'other'],
    async request({ world, n, orgId }) {
      const { id } = await victim(world, n, orgId);
      const { items } = await world.store.auth.listSessions(await world.store.systemActor(), {
        userId: id,
      });
      return { method: 'DELETE', path: `/api/sessions/${items[0]!.id}` };
    },
    allow: (role, home, target) => role === 'admin' && (target === 'own' || home === 'home'),
  },
  {
    name: 'POST /api/sessions/sign-out-others',
    targets: ['none'],
    request: () => Promise.resolve({ method: 'POST', path: '/api/sessions/sign-out-others' }),
    allow: anyone,
  },
  {
    name: 'GET /api/users/{id}/sessions (someone else)',
    targets: ['own', 'other'],
    async request({ world, n, orgId }) {
      const { id } = await victim(world, n, orgId);
      return { method: 'GET', path: `/api/users/${id}/sessions` };
    },
    allow: (role, home, target) => role === 'admin' && (target === 'own' || home === 'home'),
  },
  {
    name: 'GET /api/users/{id}/sessions (oneself)',
    targets: ['none'],
    request: ({ member }) =>
      Promise.resolve({
        method: 'GET',
        path: `/api/users/${member?.id ?? crypto.randomUUID()}/sessions`,
      }),
    allow: anyone,
  },
  {
    name: 'DELETE /api/users/{id}/sessions (someone else)',
    targets: ['own', 'other'],
    async request({ world, n, orgId }) {
      const { id } = await victim(world, n, orgId);
      return { method: 'DELETE', path: `/api/users/${id}/sessions` };
    },
    allow: (role, home, target) => role === 'admin' && (target === 'own' || home === 'home'),
  },
  {
    name: 'GET /api/audit',
    targets: ['none'],
    request: () => Promise.resolve({ method: 'GET', path: '/api/audit?limit=5' }),
    allow: (role) => role === 'admin',
  },
  {
    name: 'GET /api/ingest-kinds',
    targets: ['none'],
    request: () => Promise.resolve({ method: 'GET', path: '/api/ingest-kinds' }),
    allow: anyone,
  },
  {
    name: 'GET /api/jobs',
    targets: ['none'],
    request: () => Promise.resolve({ method: 'GET', path: '/api/jobs' }),
    allow: staff,
  },
  {
    name: 'GET /api/jobs/{id}',
    targets: ['own', 'other'],
    request: ({ orgId }) =>
      Promise.resolve({ method: 'GET', path: `/api/jobs/${jobIds.get(orgId)}` }),
    allow: (role, home, target) => staff(role) && (target === 'own' || instanceAdmin(role, home)),
  },
  {
    name: 'POST /api/jobs',
    targets: ['none'],
    request: ({ n }) => {
      const form = new FormData();
      form.set('kind', 'test-matrix-noop');
      form.set('file', new File([`case ${n}`], 'case.txt'));
      return Promise.resolve({ method: 'POST', path: '/api/jobs', body: form });
    },
    allow: (role) => role === 'admin' || role === 'analyst',
  },
  {
    name: 'GET /api/summary',
    targets: ['none'],
    request: () => Promise.resolve({ method: 'GET', path: '/api/summary' }),
    allow: anyone,
  },
];

let world: World;
let unregister: () => void;
const jobIds = new Map<string, string>();
let counter = 0;

beforeAll(async () => {
  world = await makeWorld();
  unregister = registerIngestKind({
    kind: 'test-matrix-noop',
    description: 'test only',
    fileHint: 'anything',
    run: () => Promise.resolve({ ok: true }),
  });
  const { runIngestJob } = await import('@interdict/store');
  for (const [orgId, admin] of [
    [world.homeId, world.members.home.admin],
    [world.agencyId, world.members.agency.admin],
  ] as const) {
    async function* one(): AsyncGenerator<Uint8Array> {
      yield await Promise.resolve(new Uint8Array([1]));
    }
    const job = await runIngestJob(
      world.store,
      { userId: admin.id, organisationId: orgId, role: 'admin' },
      { kind: 'test-matrix-noop', sourceName: 'seed', input: one() },
    );
    jobIds.set(orgId, job.id);
  }
});

afterAll(async () => {
  unregister?.();
  await world?.store.close();
});

const cases = ENDPOINTS.flatMap((endpoint) =>
  (['home', 'agency'] as const).flatMap((home) =>
    [...ROLES, 'anonymous' as const].flatMap((role) =>
      endpoint.targets.map((target) => ({
        label: `${endpoint.name} as ${role} of ${home === 'home' ? 'the home organisation' : 'an agency'} on ${target === 'none' ? 'the collection' : `${target} organisation`}`,
        endpoint,
        home,
        role,
        target,
      })),
    ),
  ),
);

describe('access-control matrix', () => {
  it('covers every endpoint × role × organisation × target', () => {
    expect(cases.length).toBe(
      ENDPOINTS.reduce((sum, e) => sum + e.targets.length * 2 * (ROLES.length + 1), 0),
    );
  });

  it.each(cases)('$label', async ({ endpoint, home, role, target }) => {
    const other: Home = home === 'home' ? 'agency' : 'home';
    const targetHome = target === 'other' ? other : home;
    const orgId = targetHome === 'home' ? world.homeId : world.agencyId;
    const member = role === 'anonymous' ? undefined : world.members[home][role];
    const req = await endpoint.request({
      world,
      orgId,
      n: ++counter,
      targetAdmin: world.members[targetHome].admin,
      member,
    });
    const res = await call(world.app, member, req.method, req.path, req.body);
    if (role === 'anonymous') {
      expect(res.status, await res.clone().text()).toBe(401);
    } else if (endpoint.allow(role, home, target)) {
      expect(res.status, await res.clone().text()).toBeGreaterThanOrEqual(200);
      expect(res.status).toBeLessThan(300);
    } else {
      expect([403, 404], await res.clone().text()).toContain(res.status);
    }
  });
});
