import { isInterdictError } from '@interdict/core';
import { httpStatusFor } from '@interdict/services';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from './env';

/**
 * RFC 9457 problem details. `type` is `about:blank` for plain HTTP failures (§4.2.1: the title
 * is then the status phrase) and a `urn:interdict:problem:<code>` URI for the product's own codes;
 * `code` repeats the machine-readable code, `errors` lists field-level validation failures.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(
  c: Context<AppEnv>,
  status: number,
  code: string,
  detail: string,
  extra: {
    errors?: Problem['errors'];
    headers?: Record<string, string>;
    [k: string]: unknown;
  } = {},
): Response {
  const { headers, ...rest } = extra;
  const plain = code === `HTTP_${status}`;
  const body: Problem = {
    type: plain
      ? 'about:blank'
      : `urn:interdict:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance: new URL(c.req.url).pathname,
    code,
    ...rest,
  };
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
    ...headers,
  });
}

/** Thrown by handlers for an answer that is not a domain error (e.g. 429 with Retry-After). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The one place errors become HTTP answers (domain errors stay domain errors until here). */
export function errorToProblem(c: Context<AppEnv>, error: unknown): Response {
  if (error instanceof HttpProblem) {
    return problem(c, error.status, error.code, error.message, { headers: error.headers });
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const code =
      status === 400 && /json/i.test(error.message) ? 'MALFORMED_JSON' : `HTTP_${status}`;
    return problem(c, status, code, error.message || TITLES[status] || 'Error');
  }
  if (isInterdictError(error)) {
    // Bad input from any package is the caller's problem unless the one error table (in
    // packages/services/src/errors.ts, shared with the CLI's exit codes) says otherwise.
    const status = httpStatusFor(error.code);
    if (status >= 500) c.var.logger?.error({ err: error }, 'request failed');
    const extra: Record<string, unknown> = {};
    if (error.details !== undefined) extra.details = error.details;
    // Work that cannot run now says when to come back (RFC 9110 §10.2.3 Retry-After), e.g.
    // screening workers still building the index for new list versions.
    const retryAfter = Number(error.details?.retryAfter);
    if ((status === 503 || status === 429) && Number.isFinite(retryAfter) && retryAfter > 0)
      extra.headers = { 'Retry-After': String(Math.ceil(retryAfter)) };
    return problem(c, status, error.code, error.message, extra);
  }
  c.var.logger?.error({ err: error }, 'unhandled error');
  return problem(c, 500, 'INTERNAL', 'the server failed to answer; the request id is in the logs', {
    requestId: c.var.requestId,
  });
}
