import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { serviceFor, type ServiceName } from './routes';

const PROBLEM = 'application/problem+json';

function sendProblem(res: ServerResponse, status: number, detail: string): void {
  res.writeHead(status, { 'content-type': PROBLEM });
  res.end(JSON.stringify({ type: 'urn:cairn:problem:edge', title: status === 404 ? 'Not Found' : 'Bad Gateway', status, detail }));
}

/** What the edge serves besides /api (the console); answers whether it handled the request. */
export type SiteHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The local stand-in for the Ingress: one port, /api paths streamed to the service that owns them, the rest to `site`. */
export function startEdge(port: number, upstreams: Partial<Record<ServiceName, number>>, host = '127.0.0.1', site?: SiteHandler): Promise<Server> {
  const server = createServer((req, res) => {
    if (site?.(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    const service = serviceFor(path);
    const upstreamPort = service ? upstreams[service] : undefined;
    if (!service || !upstreamPort) {
      sendProblem(res, 404, service ? `The ${service} service is not running.` : `No service serves ${path}.`);
      return;
    }
    const forwarded = request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      },
    );
    forwarded.on('error', (error) => {
      if (!res.headersSent) sendProblem(res, 502, `The ${service} service did not answer: ${error.message}`);
      else res.destroy(error);
    });
    req.pipe(forwarded);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
