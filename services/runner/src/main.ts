import { boundPort, collectProcessMetrics, configureLogging, listeningLine, logger, loggingFromEnv } from '@cairn/telemetry';
import { join } from 'node:path';
import { Runner } from './application/runner';
import { runnerCredentialsFrom, type RunnerCredentials } from './application/credentials';
import { startHealthServer } from './application/health';
import type { ExecutionBackend } from './backends/backend';
import { LocalBackend } from './backends/local-backend';
import { SlurmBackend } from './backends/slurm-backend';
import { SlurmCli } from './backends/slurm-cli';
import { parseRunnerArguments, runnerEnvironmentFrom, siteFrom, USAGE, type RunnerArguments, type RunnerEnvironment } from './config';
import { RunnerConfigurationError } from './domain/queues';
import type { Site } from './domain/site';
import { slurmSettingsFrom } from './domain/slurm-settings';
import { demoProgramSources, installDemoPrograms } from './templates/programs';

const runnerLog = logger('runner');
/** The runner's lines are sentences; the job they are about is also a field, to follow a job through the logs. */
const log = (line: string) => {
  const jobId = /^job (\S+):/.exec(line)?.[1];
  runnerLog.info(jobId ? { jobId } : {}, line);
};

/**
 * The runner process. The first SIGTERM (or Ctrl-C) stops taking work and lets the running jobs finish:
 * a claimed job cannot go back to its queue (its start is recorded); its time limit bounds the wait, and
 * so does `CAIRN_DRAIN_TIMEOUT_MS`, past which the jobs are handed back (stopped and reported as `system`
 * failures). A second signal does that at once.
 * With `PORT` set it answers health and metrics requests there.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  configureLogging(loggingFromEnv('runner'));
  collectProcessMetrics();
  const args = parseRunnerArguments(process.argv.slice(2));
  const credentials = runnerCredentialsFrom(process.env);
  const environment = runnerEnvironmentFrom(process.env, credentials.runnerId);
  const site = await siteFrom(process.env);
  const runner = await Runner.start({ ...environment, credentials, queues: args.queues, site, ...(await backendFor(args, environment, site, credentials)), log });
  // Where a process manager looks: only when it names a port (the platform, containers).
  const health = environment.healthPort === undefined ? undefined : await startHealthServer(runner, environment.healthPort, environment.healthHost);
  if (health) log(listeningLine(environment.healthHost, boundPort(health) ?? environment.healthPort!));

  // A terminal's Ctrl-C reaches every process of its group while a launcher sends SIGTERM too: only the
  // same signal twice means "stop the running jobs".
  const received = new Set<NodeJS.Signals>();
  const onSignal = (signal: NodeJS.Signals) => {
    if (received.has(signal)) {
      log(`${signal} again: stopping the running job(s) ${runner.runningJobIds.join(', ')}`);
      runner.abort();
      return;
    }
    const first = received.size === 0;
    received.add(signal);
    if (!first) return;
    const running = runner.runningJobIds;
    log(`${signal}: taking no more work${running.length > 0 ? `; finishing ${running.join(', ')} (${signal} again stops them)` : ''}`);
    void runner.stop({ handBackAfterMs: environment.drainTimeoutMs }).then(() => {
      health?.close();
      log('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * The backend and the jobs it holds at once. The demo programs' launchers go where the commands run:
 * the scratch folder here, the shared work folder for Slurm's nodes; the site's bin folders follow them.
 */
async function backendFor(args: RunnerArguments, environment: RunnerEnvironment, site: Site, credentials: RunnerCredentials): Promise<{ backend: ExecutionBackend; slots: number }> {
  if (args.backend === 'local') {
    const binDirs = [await installDemoPrograms(join(environment.scratchDir, 'bin')), ...site.binDirs];
    const common = { scratchDir: environment.scratchDir, binDirs, env: site.env };
    if (environment.sandbox === 'none') {
      runnerLog.warn({ sandbox: 'none' }, 'CAIRN_RUNNER_SANDBOX=none: jobs run without a sandbox, as the runner\'s own user, and can read its files and its environment, tokens included');
      return { backend: new LocalBackend({ ...common, sandbox: 'none' }), slots: args.slots };
    }
    const sandbox = { ceilings: environment.ceilings, readOnly: [...demoProgramSources(), ...site.readOnly], withoutProc: environment.withoutProc, ...(environment.bwrap && { bwrap: environment.bwrap }) };
    const backend = new LocalBackend({ ...common, sandbox });
    const problem = await backend.sandboxProblem();
    if (problem) throw new Error(`${problem}; the local backend runs every job under bubblewrap (install Debian's bubblewrap), or set CAIRN_RUNNER_SANDBOX=none to run them unsandboxed`);
    return { backend, slots: args.slots };
  }
  const settings = slurmSettingsFrom(process.env, site.machines);
  const binDir = await installDemoPrograms(join(settings.workDir, credentials.runnerId, 'bin'));
  const cli = new SlurmCli({ env: SlurmCli.environmentFrom(process.env) });
  return { backend: new SlurmBackend({ settings, cli, runnerId: credentials.runnerId, binDirs: [binDir, ...site.binDirs], env: site.env, log }), slots: settings.maxSubmitted };
}

main().catch((error: Error) => {
  console.error(error instanceof RunnerConfigurationError ? `${error.message}\n\n${USAGE}` : `the runner could not start: ${error.message}`);
  process.exit(error instanceof RunnerConfigurationError ? 2 : 1);
});
