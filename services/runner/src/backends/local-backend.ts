import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { CommandEnd } from '../domain/outcome';
import type { CommandObserver, CommandSpec, ExecutionBackend, InputSource, OutputFile, RunningCommand, Workspace } from './backend';
import { commandEnvironment, filesBelow, stageWorkspace } from './workspace-folders';

export interface LocalBackendOptions {
  /** Jobs' scratch folders are made below it. */
  scratchDir: string;
  /** Folders put first on the command's PATH (the demo templates' programs). */
  binDirs: string[];
  /** Extra environment for every command. */
  env?: Record<string, string>;
  /** Between the polite stop (SIGTERM) and the final one (SIGKILL). */
  stopGraceMs?: number;
}

/**
 * The reference backend: each job's command is a child process on this machine in its own scratch
 * folder, started from its argument vector without a shell, in a process group of its own so that
 * stopping it stops whatever it started too, and stopped once it passes its time limit. Its environment
 * is made here, not inherited (`commandEnvironment`).
 */
export class LocalBackend implements ExecutionBackend {
  readonly name = 'local';
  private readonly stopGraceMs: number;

  constructor(private readonly options: LocalBackendOptions) {
    this.stopGraceMs = options.stopGraceMs ?? 3_000;
  }

  async stage(jobId: string, inputs: readonly InputSource[]): Promise<Workspace> {
    await mkdir(this.options.scratchDir, { recursive: true });
    return stageWorkspace(await mkdtemp(join(this.options.scratchDir, `job-${jobId}-`)), jobId, inputs);
  }

  start(workspace: Workspace, spec: CommandSpec, observer: CommandObserver): RunningCommand {
    const env = commandEnvironment(workspace, this.options.binDirs, this.options.env);
    const [program, ...args] = spec.argv;
    let child: ReturnType<typeof spawn> | undefined;
    let finished = false;
    const ended = (async (): Promise<CommandEnd> => {
      if (!program) return { started: false, reason: 'the command is empty' };
      const executable = await findExecutable(program, env.PATH, workspace.workDir);
      if (!executable) return { started: false, reason: `"${program}" is not an executable on the runner's PATH` };
      return new Promise<CommandEnd>((settle) => {
        const spawned = spawn(executable, args, { cwd: workspace.workDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
        child = spawned;
        const deliveries = new Set<Promise<void>>();
        const follow = (stream: Readable, name: 'stdout' | 'stderr') => {
          const decoder = new StringDecoder('utf8');
          const deliver = (text: string) => {
            if (text === '') return;
            const delivery = observer.output({ stream: name, text });
            if (!delivery) return;
            stream.pause();
            const tracked = delivery.finally(() => {
              deliveries.delete(tracked);
              stream.resume();
            });
            deliveries.add(tracked);
          };
          stream.on('data', (chunk: Buffer) => deliver(decoder.write(chunk)));
          stream.on('end', () => deliver(decoder.end()));
        };
        follow(spawned.stdout!, 'stdout');
        follow(spawned.stderr!, 'stderr');
        let timedOut = false;
        const limit = setTimeout(() => {
          timedOut = true;
          void stop();
        }, spec.timeLimitSeconds * 1000);
        let exit: CommandEnd | undefined;
        spawned.once('error', (error) => {
          if (spawned.pid === undefined) {
            clearTimeout(limit);
            finished = true;
            settle({ started: false, reason: error.message });
          }
        });
        // Whatever the command left running in its group goes with it.
        spawned.once('exit', (exitCode, signal) => {
          clearTimeout(limit);
          exit = { started: true, exitCode, signal, ...(timedOut ? { timedOutAfterSeconds: spec.timeLimitSeconds } : {}) };
          killGroup(spawned.pid, 'SIGKILL');
        });
        spawned.once('close', (exitCode, signal) => {
          finished = true;
          void Promise.allSettled([...deliveries]).then(() => settle(exit ?? { started: true, exitCode, signal }));
        });
      });
    })();
    const stop = async () => {
      if (!finished && child?.pid !== undefined) {
        killGroup(child.pid, 'SIGTERM');
        const final = setTimeout(() => killGroup(child?.pid, 'SIGKILL'), this.stopGraceMs);
        await ended;
        clearTimeout(final);
      }
      await ended;
    };
    return { ended, stop };
  }

  outputs(workspace: Workspace): Promise<OutputFile[]> {
    return filesBelow(workspace.outputDir);
  }

  async release(workspace: Workspace): Promise<void> {
    await rm(workspace.workDir, { recursive: true, force: true });
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Like a shell's lookup: a name with a slash is a path (relative to the work folder), else the first executable on PATH. */
async function findExecutable(program: string, path: string, workDir: string): Promise<string | undefined> {
  const candidates = program.includes('/')
    ? [isAbsolute(program) ? program : resolve(workDir, program)]
    : path.split(delimiter).filter((folder) => folder !== '').map((folder) => join(folder, program));
  for (const candidate of candidates) {
    const executable = await access(candidate, constants.X_OK).then(
      async () => (await stat(candidate)).isFile(),
      () => false,
    );
    if (executable) return candidate;
  }
  return undefined;
}
