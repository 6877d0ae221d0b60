import { createServer, type Server } from 'node:http';
import type { Runner } from './runner';

/**
 * What a process manager asks the runner (Kubernetes' probes, the image's health check, the local
 * platform): `/health/live`, `/health/ready` (connected and taking work) and `/metrics` in the
 * Prometheus text format. The runner serves nothing else; it only calls out.
 */
export function startHealthServer(runner: Runner, port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET') return answer(response, 405, { status: 'method not allowed' });
    if (path === '/health/live') return answer(response, 200, { status: 'ok' });
    if (path === '/health/ready') return answer(response, runner.ready ? 200 : 503, { status: runner.ready ? 'ok' : 'stopping', runnerId: runner.runnerId });
    if (path === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(metricsOf(runner));
      return;
    }
    answer(response, 404, { status: 'not found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function answer(response: import('node:http').ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function metricsOf(runner: Runner): string {
  const label = `runner="${runner.runnerId}"`;
  return [
    '# HELP cairn_runner_jobs_running Jobs this runner is running now.',
    '# TYPE cairn_runner_jobs_running gauge',
    `cairn_runner_jobs_running{${label}} ${runner.runningJobIds.length}`,
    '# HELP cairn_runner_jobs_ended_total Jobs this runner has ended since it started, by how they ended.',
    '# TYPE cairn_runner_jobs_ended_total counter',
    ...Object.entries(runner.endedJobs).map(([ending, count]) => `cairn_runner_jobs_ended_total{${label},ending="${ending}"} ${count}`),
    '',
  ].join('\n');
}
