// Helpers for this package's tests only (not exported from index.ts).
import { bootstrapInstance } from './bootstrap';
import { createApp } from './app';
import type { App, ServerConfig } from './env';
import { createServices, type Services, type ServicesOptions } from '@interdict/services';
import { openStore, ROLES, type Role, type Store } from '@interdict/store';
import pino from 'pino';

export const ADMIN_EMAIL = 'admin@home.example';
export const PASSWORD = 'correct horse battery staple';

export interface Member {
  id: string;
  email: string;
  role: Role;
  organisationId: string;
  cookie: string;
  csrf: string;
}

export interface World {
  store: Store;
  services: Services;
  app: App;
  homeId: string;
  agencyId: string;
  /** Signed-in members: `members.home.admin`, `members.agency.viewer`, … */
  members: Record<'home' | 'agency', Record<Role, Member>>;
}

export const silentLogger = pino({ level: 'silent' });

/** An app over `store` with its own services (closed with the store: `closeWorld`, or by hand). */
export function makeApp(
  store: Store,
  config: Partial<ServerConfig> = {},
  services: Services = createServices(store, { closeStore: false }),
): App {
  return createApp({ store, services, logger: silentLogger, config });
}

export async function signIn(
  app: App,
  email: string,
  password = PASSWORD,
): Promise<{ cookie: string; csrf: string }> {
  const res = await app.request('/api/auth/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200)
    throw new Error(`sign-in of ${email} answered ${res.status}: ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const body = (await res.json()) as { csrfToken: string };
  return { cookie, csrf: body.csrfToken };
}

/** An in-memory instance: a home hub and an agency, one signed-in user per role in each. */
export async function makeWorld(
  config: Partial<ServerConfig> = {},
  servicesOptions: ServicesOptions = {},
): Promise<World> {
  const store = await openStore({ dataDir: 'memory://' });
  await bootstrapInstance(store, { adminEmail: ADMIN_EMAIL, adminPassword: PASSWORD });
  const system = await store.systemActor();
  const agency = await store.organisations.create(system, {
    name: 'Border Agency',
    kind: 'agency',
  });
  const services = createServices(store, { ...servicesOptions, closeStore: false });
  const app = makeApp(store, config, services);
  const members = { home: {}, agency: {} } as World['members'];
  for (const [scope, orgId] of [
    ['home', system.organisationId],
    ['agency', agency.id],
  ] as const) {
    for (const role of ROLES) {
      const email = scope === 'home' && role === 'admin' ? ADMIN_EMAIL : `${role}@${scope}.example`;
      const id =
        email === ADMIN_EMAIL
          ? (await store.users.list(system)).items.find((u) => u.email === ADMIN_EMAIL)!.id
          : (
              await store.users.create(system, {
                email,
                name: `${scope} ${role}`,
                role,
                organisationId: orgId,
                password: PASSWORD,
              })
            ).user.id;
      members[scope][role] = {
        id,
        email,
        role,
        organisationId: orgId,
        ...(await signIn(app, email)),
      };
    }
  }
  return { store, services, app, homeId: system.organisationId, agencyId: agency.id, members };
}

/** A request as `member` (cookie + CSRF header), or anonymous when `member` is undefined. */
export function call(
  app: App,
  member: Member | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const h: Record<string, string> = { ...headers };
  if (member) {
    h.cookie = member.cookie;
    h['x-csrf-token'] = member.csrf;
  }
  let payload: RequestInit['body'];
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    h['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const init = { method, headers: h, ...(payload === undefined ? {} : { body: payload }) };
  return Promise.resolve(app.request(path, init));
}

/** Stops a world's services (pools, the ledger's sequencer) and closes its store. */
export async function closeWorld(world: World | undefined): Promise<void> {
  if (!world) return;
  await world.services.close();
  await world.store.close();
}
