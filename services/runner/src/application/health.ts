import { createServer, type Server } from 'node:http';
import { PROBLEM_CONTENT_TYPE, readinessOf } from '@cairn/http';
import { metricsRegistry } from '@cairn/telemetry';
import type { Runner } from './runner';
import { observeRunner } from './runner-metrics';

/**
 * What a process manager asks the runner (Kubernetes' probes, the image's health check, the local
 * platform): `/health/live`, `/health/ready` (taking work and NATS answering, else a 503 naming what is
 * not, as a service's), both naming what sandboxes its commands (`sandbox`: bubblewrap, none or
 * scheduler), and `/metrics` in the Prometheus text format (the process's registry: its jobs,
 * heartbeats and Node's own figures). The runner serves nothing else; it only calls out.
 */
export function startHealthServer(runner: Runner, port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET') return answer(response, 405, { status: 'method not allowed' });
    if (path === '/health/live') return answer(response, 200, { status: 'ok', sandbox: runner.sandbox });
    if (path === '/health/ready') {
      void readinessOf(runner.readinessProbes()).then(({ problem }) =>
        problem ? answer(response, 503, { ...problem, runnerId: runner.runnerId, sandbox: runner.sandbox }, PROBLEM_CONTENT_TYPE) : answer(response, 200, { status: 'ok', runnerId: runner.runnerId, sandbox: runner.sandbox }),
      );
      return;
    }
    if (path === '/metrics') {
      void metricsRegistry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': metricsRegistry.contentType });
          response.end(text);
        },
        (error: Error) => answer(response, 500, { status: 'metrics unavailable', detail: error.message }),
      );
      return;
    }
    answer(response, 404, { status: 'not found' });
  });
  const unobserve = observeRunner(runner);
  server.once('close', unobserve);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function answer(response: import('node:http').ServerResponse, status: number, body: object, contentType = 'application/json'): void {
  response.writeHead(status, { 'content-type': contentType });
  response.end(JSON.stringify(body));
}
