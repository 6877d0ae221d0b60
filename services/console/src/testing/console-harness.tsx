import { render } from '@testing-library/preact';
import type { ComponentChildren } from 'preact';
import { createApi } from '../api/client';
import type { Person } from '../session/session';
import { ConsoleContext } from '../ui/context';

/** A request the page made, as the stub platform saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Headers;
}

/** An answer: a body (200 unless `status`), or server-sent events (`events`, sent as they are written, then the end); or a function of the request. */
export type StubAnswer = { status?: number; body?: unknown; headers?: Record<string, string>; events?: string };
export type StubRoute = StubAnswer | ((request: SeenRequest) => StubAnswer);

/**
 * The platform as a component test needs it: answers by `METHOD /path` (no query), in the shapes the
 * generated client declares; every request is kept so a test can say what the page sent.
 */
export function stubPlatform(routes: Record<string, StubRoute>) {
  const seen: SeenRequest[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = await request.text();
    const entry: SeenRequest = { method: request.method, path: url.pathname, query: url.searchParams, body: text ? JSON.parse(text) : undefined, headers: request.headers };
    seen.push(entry);
    const route = routes[`${request.method} ${url.pathname}`];
    if (!route) {
      return new Response(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: `no stub for ${request.method} ${url.pathname}` }), {
        status: 404,
        headers: { 'content-type': 'application/problem+json' },
      });
    }
    const answer = typeof route === 'function' ? route(entry) : route;
    const status = answer.status ?? 200;
    if (answer.events !== undefined) return new Response(answer.events, { status, headers: { 'content-type': 'text/event-stream' } });
    const contentType = status >= 400 ? 'application/problem+json' : 'application/json';
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status, headers: { 'content-type': contentType, ...answer.headers } });
  };
  return { fetch: fetch as typeof globalThis.fetch, seen, calls: (method: string, path: string) => seen.filter((request) => request.method === method && request.path === path) };
}

export const BOB: Person = { userId: 'u-bob', username: 'bob', displayName: 'Bob Brown', email: 'bob@example.org', facilityAdmin: false, expiresAt: 4102444800 };

/** Renders `ui` inside a signed-in console whose API is the stub platform. */
export function renderInConsole(ui: ComponentChildren, platform: ReturnType<typeof stubPlatform>, person: Person = BOB) {
  const api = createApi({ baseUrl: 'http://console.test', token: () => 'test-token', fetch: platform.fetch });
  return render(
    <ConsoleContext.Provider value={{ api, config: { auth: { mode: 'dev' } }, session: { token: 'test-token', person }, signOut: () => undefined }}>{ui}</ConsoleContext.Provider>,
  );
}
