import createClient, { type Middleware } from 'openapi-fetch';
import type { components as AccessComponents, paths as AccessPaths } from './generated/access';
import type { components as JobsComponents, paths as JobsPaths } from './generated/jobs';
import type { components as LogbookComponents, paths as LogbookPaths } from './generated/logbook';
import type { components as ProjectsComponents, paths as ProjectsPaths } from './generated/projects';

/** The answers' shapes, as the services' OpenAPI documents declare them. */
export type AccessSchemas = AccessComponents['schemas'];
export type ProjectsSchemas = ProjectsComponents['schemas'];
/** A project's creation body: per scheme, the base levels it takes. */
export type CreateProjectBody = ProjectsPaths['/api/projects']['post']['requestBody']['content']['application/json'];
export type LogbookSchemas = LogbookComponents['schemas'];
export type JobsSchemas = JobsComponents['schemas'];

/** A problem document (RFC 9457) as every service answers errors, with the refusal's own details. */
export type Problem = AccessSchemas['ProblemDto'] & Record<string, unknown>;

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'ProblemError';
  }
}

/** Whatever went wrong, as a problem document: the service's own, or one that says what happened on the way. */
export function problemOf(error: unknown): Problem {
  if (error instanceof ProblemError) return error.problem;
  const detail = error instanceof Error ? error.message : String(error);
  // fetch rejects with a TypeError when no answer came at all.
  if (error instanceof TypeError) return { type: 'urn:cairn:problem:console.unreachable', title: 'Not reachable', status: 0, detail: `The platform could not be reached (${detail}).` };
  return { type: 'urn:cairn:problem:console', title: 'Error', status: 0, detail };
}

function problemFrom(error: unknown, response: Response): Problem {
  if (typeof error === 'object' && error !== null && 'status' in error && 'detail' in error) return error as Problem;
  const detail = typeof error === 'string' && error.trim() !== '' ? error : `The server answered ${response.status} ${response.statusText}.`;
  return { type: 'about:blank', title: response.statusText || 'Error', status: response.status, detail };
}

/** The data of an answer, or a ProblemError with its problem document. */
export async function answer<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw new ProblemError(problemFrom(error, response));
  return data as T;
}

export const POSITION_HEADER = 'Cairn-Position';
export const MIN_POSITION_HEADER = 'Cairn-Min-Position';

export interface ApiOptions {
  baseUrl: string;
  token: () => string | undefined;
  fetch?: typeof fetch;
  /** A 401: the token expired or was refused. */
  onUnauthorized?: () => void;
}

export type Api = ReturnType<typeof createApi>;

/**
 * The typed clients of the services (openapi-fetch over the generated paths), all through the edge.
 * Every answer's `Cairn-Position` is remembered and every request waits for the highest one seen
 * (`Cairn-Min-Position`), so a page shows what this session has just done, whichever service did it.
 */
export function createApi(options: ApiOptions) {
  let position = 0;
  const session: Middleware = {
    onRequest({ request }) {
      const token = options.token();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      if (position > 0 && !request.headers.has(MIN_POSITION_HEADER)) request.headers.set(MIN_POSITION_HEADER, String(position));
      return request;
    },
    onResponse({ response }) {
      observe(response.headers.get(POSITION_HEADER));
      if (response.status === 401) options.onUnauthorized?.();
      return response;
    },
  };
  const observe = (header: string | null) => {
    const seen = Number(header);
    if (header !== null && Number.isSafeInteger(seen) && seen > position) position = seen;
  };
  const clientOptions = { baseUrl: options.baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) };
  const access = createClient<AccessPaths>(clientOptions);
  const projects = createClient<ProjectsPaths>(clientOptions);
  const logbook = createClient<LogbookPaths>(clientOptions);
  const jobs = createClient<JobsPaths>(clientOptions);
  for (const client of [access, projects, logbook, jobs]) client.use(session);
  return {
    access,
    projects,
    logbook,
    jobs,
    /** The highest position this session has seen. */
    position: () => position,
    /** Headers for what cannot go through the typed clients (streams, uploads with progress). */
    headers(accept?: string): Record<string, string> {
      const token = options.token();
      return {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(position > 0 ? { [MIN_POSITION_HEADER]: String(position) } : {}),
        ...(accept ? { accept } : {}),
      };
    },
    observe,
    baseUrl: options.baseUrl,
    fetch: options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init)),
  };
}
