import { createServer, request, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { problem, PROBLEM_CONTENT_TYPE } from '@cairn/http';
import { serviceFor, type ServiceName } from './routes';

/**
 * How long the edge waits for a service's own readiness answer before counting it not ready: longer
 * than a service's bound on its own checks (1.5 s), so its answer, which names the dependency, arrives.
 */
const READY_PROBE_TIMEOUT_MS = 2_500;

function sendJson(res: ServerResponse, status: number, body: object, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': contentType, ...(status === 503 ? { 'retry-after': '1' } : {}) });
  res.end(JSON.stringify(body));
}

function sendProblem(res: ServerResponse, status: number, detail: string, extensions: Record<string, unknown>): void {
  sendJson(res, status, problem(status, detail, extensions), PROBLEM_CONTENT_TYPE);
}

/** A service's readiness, and when it is not ready why: what its own answer names (`nats`, `mongodb`...) or that it did not answer. */
async function readinessOf(port: number): Promise<{ ready: boolean; why?: string }> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(READY_PROBE_TIMEOUT_MS) });
    if (response.ok) return { ready: true };
    const body = (await response.json().catch(() => undefined)) as { detail?: unknown } | undefined;
    return { ready: false, why: typeof body?.detail === 'string' ? body.detail.replace(/^Not ready: /, '') : `answered ${response.status}` };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return { ready: false, why: `no answer within ${READY_PROBE_TIMEOUT_MS} ms` };
    const cause = (error as { cause?: { code?: string } }).cause;
    return { ready: false, why: `not answering: ${cause?.code ?? (error as Error).message}` };
  }
}

/**
 * The platform's health, as a load balancer or `npm start`'s user asks it: live while the edge answers;
 * ready only when every service behind it answers ready, else 503 naming those that do not and why
 * (`Not ready: access (nats), jobs (nats)`).
 */
async function health(res: ServerResponse, path: string, upstreams: Partial<Record<ServiceName, number>>): Promise<void> {
  if (path === '/health/live') return sendJson(res, 200, { status: 'ok' });
  const services = Object.entries(upstreams) as [ServiceName, number][];
  const results = await Promise.all(services.map(async ([name, port]) => ({ name, ...(await readinessOf(port)) })));
  const notReady = results.filter((result) => !result.ready);
  const byName = Object.fromEntries(results.map(({ name, ready }) => [name, ready ? 'ready' : 'not ready']));
  if (notReady.length === 0) return sendJson(res, 200, { status: 'ok', services: byName });
  sendProblem(res, 503, `Not ready: ${notReady.map(({ name, why }) => `${name} (${why})`).join(', ')}`, {
    rule: 'health.not-ready',
    notReady: notReady.map(({ name }) => name),
    reasons: Object.fromEntries(notReady.map(({ name, why }) => [name, why])),
    services: byName,
  });
}

/** What the edge serves besides /api and health (the console); answers whether it handled the request. */
export type SiteHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The local stand-in for the Ingress: one port, /api paths streamed to the service that owns them, the rest to `site`. */
export function startEdge(port: number, upstreams: Partial<Record<ServiceName, number>>, host = '127.0.0.1', site?: SiteHandler): Promise<Server> {
  const server = createServer((req, res) => {
    if (site?.(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/health/live' || path === '/health/ready')) {
      void health(res, path, upstreams);
      return;
    }
    const service = serviceFor(path);
    // The console's paths are the site's: what it declined (a POST to a page) has nowhere else to go.
    const upstreamPort = service && service !== 'console' ? upstreams[service] : undefined;
    if (!service || !upstreamPort) {
      const detail = service === 'console' ? `The console answers GET and HEAD at ${path}.` : service ? `The ${service} service is not running.` : `No service serves ${path}.`;
      sendProblem(res, 404, detail, { rule: 'edge.no-route' });
      return;
    }
    const forwarded = request(
      // The services trust this edge's X-Forwarded-For (CAIRN_TRUSTED_PROXIES=loopback) for their limits per
      // client address: it names the peer, whatever the client claimed.
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress } },
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      },
    );
    forwarded.on('error', (error) => {
      if (!res.headersSent) sendProblem(res, 502, `The ${service} service did not answer: ${error.message}`, { rule: 'edge.upstream-unavailable' });
      else res.destroy(error);
    });
    req.pipe(forwarded);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
