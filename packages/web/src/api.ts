// The console's one HTTP client. Every call to the Interdict API goes through `apiRequest`, which
// - sends the session cookie (`credentials: 'include'`),
// - adds `X-CSRF-Token` on unsafe methods (the token comes from sign-in or /api/auth/me; the
//   server pairs it with the HttpOnly session cookie, the double-submit defence of OWASP's CSRF
//   cheat sheet),
// - turns RFC 9457 problem details (`application/problem+json`) into an `ApiError` whose message
//   is one readable line, with the field errors kept for forms.

import type { components, paths } from './api-types';

// Requests and answers are typed from the server's OpenAPI document (src/api-types.ts, generated
// by `npm run api:types`): a route whose schema changes breaks the console's build, not its users.

/** The API's named schemas (`components.schemas` of GET /api/openapi.json). */
export type Schemas = components['schemas'];

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Operation<P extends keyof paths, M extends keyof paths[P]> = NonNullable<paths[P][M]>;

/** The JSON body of the success answer (200, 201 or 202) to `M P`, as the document declares it. */
export type JsonResponse<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { responses: infer R }
    ? Json<R[Extract<keyof R, 200 | 201 | 202>]>
    : never;

/** The JSON request body of `M P`, as the document declares it. */
export type JsonRequest<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

/** The query parameters of `M P`, as the document declares them. */
export type QueryParams<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type Role = Schemas['Role'];
export const roles: readonly Role[] = ['admin', 'analyst', 'officer', 'viewer', 'partner'];

export type OrganisationKind = Schemas['OrganisationKind'];
export const organisationKinds: readonly OrganisationKind[] = ['agency', 'hub', 'insurer'];

export type User = Schemas['User'];
/** `home`: the instance's own organisation (made at first start); its admins manage the others. */
export type Organisation = Schemas['Organisation'];
export type Session = Schemas['Session'];
export type ApiToken = Schemas['ApiToken'];
/** `secret`: the bearer secret; the server keeps only its hash, so it is seen only this once. */
export type CreatedToken = Schemas['CreatedToken'];
export type CreatedUser = Schemas['CreatedUser'];
export type AuditEvent = Schemas['AuditEvent'];
/** An upload kind, with the optional files (`attachments`) and choices (`options`) it takes. */
export type IngestKind = Schemas['IngestKind'];
export type Job = Schemas['Job'];
export type JobStatus = Job['status'];
/** A signed-in session (GET /api/sessions); its secret never leaves the server. */
export type SessionInfo = Schemas['SessionInfo'];

/** One page of a list: at most `limit` rows after `cursor` (the previous page's nextCursor). */
export interface PageQuery {
  limit?: number;
  cursor?: string | null;
}

export type SummaryItem = Schemas['Summary']['items'][number];

export interface ListResponse<T> {
  items: T[];
  nextCursor?: string | null;
}

/**
 * RFC 9457 §3.1 members, plus Interdict's `code` and per-field `errors`. Every member optional,
 * not `Schemas['Problem']`: an error body may come from a proxy in front of the server.
 */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  code?: string;
  errors?: unknown;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly problem: ProblemDetails = {},
  ) {
    super(message);
  }
  get code(): string | undefined {
    return this.problem.code;
  }
  /** Field errors as `field: message` lines, whatever shape the server used. */
  get fieldErrors(): string[] {
    return describeFieldErrors(this.problem.errors);
  }
}

function describeFieldErrors(errors: unknown): string[] {
  if (!errors) return [];
  if (Array.isArray(errors))
    return errors.map((e) => {
      if (e && typeof e === 'object') {
        const { path, pointer, field, message, detail } = e as Record<string, unknown>;
        const where = Array.isArray(path) ? path.join('.') : (path ?? pointer ?? field);
        const what = message ?? detail;
        return typeof where === 'string' && where ? `${where}: ${String(what)}` : String(what);
      }
      return String(e);
    });
  if (typeof errors === 'object')
    return Object.entries(errors as Record<string, unknown>).map(
      ([field, message]) =>
        `${field}: ${Array.isArray(message) ? message.join(', ') : String(message)}`,
    );
  return [typeof errors === 'string' ? errors : JSON.stringify(errors)];
}

function statusText(status: number): string {
  switch (status) {
    case 400:
      return 'The request was not accepted';
    case 401:
      return 'You are not signed in';
    case 403:
      return 'You are not allowed to do this';
    case 404:
      return 'Not found';
    case 409:
      return 'This conflicts with existing data';
    case 413:
      return 'The upload is too large';
    case 422:
      return 'Some fields are not valid';
    case 429:
      return 'Too many attempts; wait a moment and try again';
    default:
      return status >= 500 ? 'The server failed to answer' : `Request failed (${status})`;
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  let problem: ProblemDetails = {};
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      problem = (await response.json()) as ProblemDetails;
    } catch {
      // A broken body still leaves the status to report.
    }
  }
  const headline = problem.detail ?? problem.title ?? statusText(response.status);
  const fields = describeFieldErrors(problem.errors);
  const message = fields.length > 0 ? `${headline} (${fields.join('; ')})` : headline;
  return new ApiError(response.status, message, problem);
}

let csrfToken: string | null = null;
const unauthorisedListeners = new Set<() => void>();

/** Set by the session layer from the sign-in or /api/auth/me answer. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when any request answers 401 (the session expired or was revoked). */
export function onUnauthorised(listener: () => void): () => void {
  unauthorisedListeners.add(listener);
  return () => unauthorisedListeners.delete(listener);
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  /** Sent as JSON, or as-is when it is FormData (multipart uploads). */
  body?: unknown;
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
  /** Do not notify `onUnauthorised` listeners on 401 (sign-in and the session probe). */
  quietUnauthorised?: boolean;
}

export function withQuery(path: string, query?: Record<string, QueryValue>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * One request to the API. Resolves with the parsed JSON body (or `undefined` for 204), rejects
 * with `ApiError` for any non-2xx answer and with a plain `Error` when the server cannot be reached.
 */
export async function apiRequest<T>(
  method: Method,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body,
      credentials: 'include',
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new Error('The Interdict server cannot be reached; check your connection.', { cause });
  }
  if (!response.ok) {
    const error = await toApiError(response);
    if (response.status === 401 && !options.quietUnauthorised)
      for (const listener of unauthorisedListeners) listener();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return (await response.text()) as T;
  return (await response.json()) as T;
}

export const http = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) =>
    apiRequest<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    apiRequest<T>('POST', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    apiRequest<T>('PATCH', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    apiRequest<T>('PUT', path, { ...options, body }),
  delete: <T = void>(path: string, options?: RequestOptions) =>
    apiRequest<T>('DELETE', path, options),
};

const id = (value: string) => encodeURIComponent(value);

/** The platform endpoints of the integration contract, typed. Capabilities add their own. */
export const api = {
  auth: {
    signIn: (email: string, password: string) =>
      http.post<JsonResponse<'/api/auth/sign-in', 'post'>>(
        '/api/auth/sign-in',
        { email, password } satisfies JsonRequest<'/api/auth/sign-in', 'post'>,
        { quietUnauthorised: true },
      ),
    signOut: () => http.post<void>('/api/auth/sign-out'),
    me: () =>
      http.get<JsonResponse<'/api/auth/me', 'get'>>('/api/auth/me', { quietUnauthorised: true }),
  },
  organisations: {
    list: () => http.get<JsonResponse<'/api/organisations', 'get'>>('/api/organisations'),
    get: (organisationId: string) =>
      http.get<JsonResponse<'/api/organisations/{id}', 'get'>>(
        `/api/organisations/${id(organisationId)}`,
      ),
    create: (input: JsonRequest<'/api/organisations', 'post'>) =>
      http.post<JsonResponse<'/api/organisations', 'post'>>('/api/organisations', input),
  },
  users: {
    list: (query: PageQuery = {}) =>
      http.get<JsonResponse<'/api/users', 'get'>>('/api/users', { query: { ...query } }),
    create: (input: JsonRequest<'/api/users', 'post'>) =>
      http.post<JsonResponse<'/api/users', 'post'>>('/api/users', input),
    update: (userId: string, input: JsonRequest<'/api/users/{id}', 'patch'>) =>
      http.patch<JsonResponse<'/api/users/{id}', 'patch'>>(`/api/users/${id(userId)}`, input),
    sessions: (userId: string, query: PageQuery = {}) =>
      http.get<JsonResponse<'/api/users/{id}/sessions', 'get'>>(
        `/api/users/${id(userId)}/sessions`,
        { query: { ...query } },
      ),
    endSessions: (userId: string) =>
      http.delete<JsonResponse<'/api/users/{id}/sessions', 'delete'>>(
        `/api/users/${id(userId)}/sessions`,
      ),
  },
  sessions: {
    list: (query: PageQuery = {}) =>
      http.get<JsonResponse<'/api/sessions', 'get'>>('/api/sessions', { query: { ...query } }),
    end: (sessionId: string) => http.delete(`/api/sessions/${id(sessionId)}`),
    signOutOthers: () =>
      http.post<JsonResponse<'/api/sessions/sign-out-others', 'post'>>(
        '/api/sessions/sign-out-others',
      ),
  },
  tokens: {
    list: (query: PageQuery = {}) =>
      http.get<JsonResponse<'/api/tokens', 'get'>>('/api/tokens', { query: { ...query } }),
    create: (input: JsonRequest<'/api/tokens', 'post'>) =>
      http.post<JsonResponse<'/api/tokens', 'post'>>('/api/tokens', input),
    revoke: (tokenId: string) => http.delete(`/api/tokens/${id(tokenId)}`),
  },
  audit: {
    list: (query: PageQuery = {}) =>
      http.get<JsonResponse<'/api/audit', 'get'>>('/api/audit', { query: { ...query } }),
  },
  ingest: {
    kinds: () => http.get<JsonResponse<'/api/ingest-kinds', 'get'>>('/api/ingest-kinds'),
    jobs: (query: PageQuery = {}) =>
      http.get<JsonResponse<'/api/jobs', 'get'>>('/api/jobs', { query: { ...query } }),
    job: (jobId: string) =>
      http.get<JsonResponse<'/api/jobs/{id}', 'get'>>(`/api/jobs/${id(jobId)}`),
    upload: (
      kind: string,
      file: File,
      attachments: Record<string, File> = {},
      options: Record<string, string> = {},
    ) => {
      const form = new FormData();
      form.set('kind', kind);
      form.set('file', file, file.name);
      for (const [name, f] of Object.entries(attachments)) form.set(name, f, f.name);
      for (const [name, value] of Object.entries(options)) form.set(name, value);
      return http.post<JsonResponse<'/api/jobs', 'post'>>('/api/jobs', form);
    },
  },
  summary: () => http.get<JsonResponse<'/api/summary', 'get'>>('/api/summary'),
};

/** A readable line for any error a query or mutation may reject with. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
