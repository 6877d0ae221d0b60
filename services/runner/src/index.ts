export { Runner, type RunnerOptions } from './application/runner';
export { runnerCredentialsFrom, defaultRunnerId, type RunnerCredentials } from './application/credentials';
export { LocalBackend, type LocalBackendOptions } from './backends/local-backend';
export type { ExecutionBackend, RunningCommand, Workspace, InputSource, OutputFile } from './backends/backend';
export { DEFAULT_RUNNER_DRAIN_TIMEOUT_MS, parseRunnerArguments } from './config';
export { installDemoPrograms } from './templates/programs';
