import { spawn } from 'node:child_process';
import { constants, createWriteStream } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type { CommandEnd } from '../domain/outcome';
import type { ExecutionBackend, InputSource, OutputFile, OutputListener, RunningCommand, Workspace } from './backend';

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
 * stopping it stops whatever it started too. Its environment is made here, not inherited: the runner's
 * token and secrets never reach a command.
 */
export class LocalBackend implements ExecutionBackend {
  readonly name = 'local';
  private readonly stopGraceMs: number;

  constructor(private readonly options: LocalBackendOptions) {
    this.stopGraceMs = options.stopGraceMs ?? 3_000;
  }

  async stage(jobId: string, inputs: readonly InputSource[]): Promise<Workspace> {
    await mkdir(this.options.scratchDir, { recursive: true });
    const workDir = await mkdtemp(join(this.options.scratchDir, `job-${jobId}-`));
    const workspace: Workspace = { jobId, workDir, outputDir: join(workDir, 'out'), inputPaths: [] };
    try {
      for (const folder of ['inputs', 'out', 'tmp']) await mkdir(join(workDir, folder));
      for (const input of inputs) {
        const path = join(workDir, 'inputs', input.name);
        await pipeline(await input.open(), createWriteStream(path, { flags: 'wx' }));
        workspace.inputPaths.push(path);
      }
      return workspace;
    } catch (error) {
      await this.release(workspace);
      throw error;
    }
  }

  start(workspace: Workspace, argv: readonly string[], onOutput: OutputListener): RunningCommand {
    const env = this.environmentFor(workspace);
    const [program, ...args] = argv;
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
            const delivery = onOutput({ stream: name, text });
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
        let exit: CommandEnd | undefined;
        spawned.once('error', (error) => {
          if (spawned.pid === undefined) {
            finished = true;
            settle({ started: false, reason: error.message });
          }
        });
        // Whatever the command left running in its group goes with it.
        spawned.once('exit', (exitCode, signal) => {
          exit = { started: true, exitCode, signal };
          killGroup(spawned.pid, 'SIGKILL');
        });
        spawned.once('close', (exitCode, signal) => {
          finished = true;
          void Promise.allSettled([...deliveries]).then(() => settle(exit ?? { started: true, exitCode, signal }));
        });
      });
    })();
    return {
      ended,
      stop: async () => {
        if (!finished && child?.pid !== undefined) {
          killGroup(child.pid, 'SIGTERM');
          const final = setTimeout(() => killGroup(child?.pid, 'SIGKILL'), this.stopGraceMs);
          await ended;
          clearTimeout(final);
        }
        await ended;
      },
    };
  }

  async outputs(workspace: Workspace): Promise<OutputFile[]> {
    const files: OutputFile[] = [];
    const walk = async (folder: string, prefix: string) => {
      for (const entry of await readdir(folder, { withFileTypes: true })) {
        const localPath = join(folder, entry.name);
        const relativePath = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
        if (entry.isDirectory()) await walk(localPath, relativePath);
        else if (entry.isFile()) files.push({ relativePath, localPath, size: (await stat(localPath)).size });
      }
    };
    await walk(workspace.outputDir, '');
    return files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
  }

  async release(workspace: Workspace): Promise<void> {
    await rm(workspace.workDir, { recursive: true, force: true });
  }

  private environmentFor(workspace: Workspace): NodeJS.ProcessEnv & { PATH: string } {
    const path = [...this.options.binDirs, dirname(process.execPath), process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(delimiter);
    return {
      PATH: path,
      HOME: workspace.workDir,
      TMPDIR: join(workspace.workDir, 'tmp'),
      LANG: process.env.LANG ?? 'C.UTF-8',
      ...this.options.env,
    };
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
