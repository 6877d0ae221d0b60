import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { problem, PROBLEM_CONTENT_TYPE } from '@cairn/http';
import { DEMO_PEOPLE, demoToken } from './demo-people';

/** How the console signs people in: dev tokens from the edge, or an OpenID Connect provider (authorization code + PKCE). */
export type ConsoleAuth =
  | { mode: 'dev'; secret: string }
  | { mode: 'oidc'; issuer: string; clientId: string; scope: string; audience?: string }
  /** Neither: people paste a bearer token (from `npm run token`, or their identity provider). */
  | { mode: 'token' };

export interface ConsoleSiteOptions {
  /** The console's build (vite's output). */
  root: string;
  auth: ConsoleAuth;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** How the console signs in, from the edge's environment: dev tokens when CAIRN_AUTH_MODE=dev, else OIDC when configured, else a pasted token. */
export function consoleAuthFromEnv(env: NodeJS.ProcessEnv): ConsoleAuth {
  if (env.CAIRN_AUTH_MODE === 'dev') return { mode: 'dev', secret: env.CAIRN_DEV_JWT_SECRET ?? '' };
  const issuer = env.CAIRN_OIDC_ISSUER ?? env.CAIRN_JWT_ISSUER;
  const clientId = env.CAIRN_OIDC_CLIENT_ID;
  if (!issuer || !clientId) return { mode: 'token' };
  return { mode: 'oidc', issuer, clientId, scope: env.CAIRN_OIDC_SCOPE ?? 'openid profile email', ...(env.CAIRN_JWT_AUDIENCE ? { audience: env.CAIRN_JWT_AUDIENCE } : {}) };
}

/**
 * The console's Content-Security-Policy: its own scripts and styles only (no inline script, no `eval`),
 * pictures from itself or from the blob URLs it makes of outputs, nothing embedded (`object-src`) and no
 * framing (`frame-ancestors`). `connectSources` are the origins it may call besides its own: the identity
 * provider's, with OIDC sign-in. deploy/docker/console-security-headers.conf sends the same for nginx.
 */
export function consoleContentSecurityPolicy(connectSources: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob:",
    `connect-src ${["'self'", ...connectSources].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** What every answer of the console's site carries. */
export function consoleSecurityHeaders(auth: ConsoleAuth): Record<string, string> {
  return {
    'content-security-policy': consoleContentSecurityPolicy(auth.mode === 'oidc' ? [new URL(auth.issuer).origin] : []),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function pathOf(url: string | undefined): string | undefined {
  try {
    return decodeURIComponent((url ?? '/').split('?')[0]);
  } catch {
    return undefined;
  }
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Everything of the edge that is not /api: the console's files with the single-page fallback (a page
 * URL answers index.html), its runtime configuration (/config.json), and in dev mode only the demo
 * people and their tokens (/auth/dev/*). Answers false for what it does not serve.
 */
export function consoleSite({ root, auth }: ConsoleSiteOptions) {
  // The dev secret stays here; everything else of the settings is public by nature (an OIDC public client).
  const publicConfig = auth.mode === 'dev' ? { auth: { mode: 'dev' } } : { auth };
  const securityHeaders = Object.entries(consoleSecurityHeaders(auth));
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = pathOf(req.url);
    if (path === undefined || path.startsWith('/api/') || path === '/api' || path.startsWith('/health/')) return false;
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    if (path === '/config.json') {
      sendJson(res, 200, publicConfig);
      return true;
    }
    if (path.startsWith('/auth/dev/')) {
      if (auth.mode !== 'dev') return false;
      void devAuth(req, res, path, auth.secret);
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep) && file !== root) return false;
    const found = existsSync(file) && statSync(file).isFile() ? file : extname(path) === '' ? join(root, 'index.html') : undefined;
    if (!found || !existsSync(found)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(existsSync(join(root, 'index.html')) ? `No file ${path}.` : 'The console is not built: run npm run build.');
      return true;
    }
    // Vite names assets by content hash: they never change. Pages and index.html always revalidate.
    const immutable = found.startsWith(join(root, 'assets') + sep);
    res.writeHead(200, {
      'content-type': TYPES[extname(found)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(found).pipe(res);
    return true;
  };
}

async function devAuth(req: IncomingMessage, res: ServerResponse, path: string, secret: string): Promise<void> {
  if (path === '/auth/dev/people' && req.method === 'GET') return sendJson(res, 200, { people: DEMO_PEOPLE });
  if (path === '/auth/dev/token' && req.method === 'POST') {
    const body = (await bodyOf(req)) as { username?: unknown } | undefined;
    const username = typeof body?.username === 'string' ? body.username : '';
    if (!USERNAME.test(username)) {
      const message = 'must be lower-case letters, digits, dots, dashes or underscores';
      return sendJson(res, 400, problem(400, `username ${message}.`, { rule: 'validation', errors: [{ field: 'username', message }] }), PROBLEM_CONTENT_TYPE);
    }
    return sendJson(res, 200, { token: await demoToken(username, secret) });
  }
  sendJson(res, 404, problem(404, `No dev sign-in at ${path}.`, { rule: 'edge.no-route' }), PROBLEM_CONTENT_TYPE);
}
