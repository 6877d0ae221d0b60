import { Runner } from './application/runner';
import { runnerCredentialsFrom } from './application/credentials';
import { startHealthServer } from './application/health';
import { LocalBackend } from './backends/local-backend';
import { join } from 'node:path';
import { parseRunnerArguments, runnerEnvironmentFrom, USAGE } from './config';
import { RunnerConfigurationError } from './domain/queues';
import { installDemoPrograms } from './templates/programs';

const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

/**
 * The runner process. The first SIGTERM (or Ctrl-C) stops taking work and lets the running jobs finish:
 * a claimed job cannot go back to its queue (its start is recorded), and its time limit bounds the wait.
 * A second signal stops the running commands and reports their jobs as `system` failures.
 * With `PORT` set it answers health and metrics requests there.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const args = parseRunnerArguments(process.argv.slice(2));
  const credentials = runnerCredentialsFrom(process.env);
  const environment = runnerEnvironmentFrom(process.env, credentials.runnerId);
  const runner = await Runner.start({
    ...environment,
    credentials,
    queues: args.queues,
    slots: args.slots,
    backend: new LocalBackend({ scratchDir: environment.scratchDir, binDirs: [await installDemoPrograms(join(environment.scratchDir, 'bin'))] }),
    log,
  });
  // Where a process manager looks: only when it names a port (the platform, containers).
  const health = environment.healthPort === undefined ? undefined : await startHealthServer(runner, environment.healthPort, environment.healthHost);

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
    void runner.stop().then(() => {
      health?.close();
      log('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: Error) => {
  console.error(error instanceof RunnerConfigurationError ? `${error.message}\n\n${USAGE}` : `the runner could not start: ${error.message}`);
  process.exit(error instanceof RunnerConfigurationError ? 2 : 1);
});
