import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { CommandEnd } from '../domain/outcome';
import type { CommandObserver, CommandSpec, ExecutionBackend, InputSource, OutputFile, RunningCommand, Workspace } from './backend';
import { prologueLaunchOf } from '../domain/site';
import { brokenLimit, DEFAULT_CEILINGS, limitReason, sandboxPolicyOf, type SandboxLimits } from '../domain/sandbox-limits';
import { handOver, isBelowAny, sandboxedArgv, sandboxUserFor, stagingMounts, SYSTEM_FOLDERS, type SandboxUser } from './bubblewrap';
import { outputUsage, SandboxWatch } from './sandbox-watch';
import { commandEnvironment, filesBelow, stageWorkspace } from './workspace-folders';

/** How the local backend sandboxes its commands: with bubblewrap (the default), or not at all (`none`). */
export type LocalSandbox = 'none' | { ceilings?: SandboxLimits; readOnly?: readonly string[]; bwrap?: string; withoutProc?: boolean };

export interface LocalBackendOptions {
  /** Jobs' scratch folders are made below it. */
  scratchDir: string;
  /** Folders put first on the command's PATH (the demo templates' programs). */
  binDirs: string[];
  /** Extra environment for every command. */
  env?: Record<string, string>;
  /** Between the polite stop (SIGTERM) and the final one (SIGKILL). */
  stopGraceMs?: number;
  /**
   * Bubblewrap unless `none`: the runner-wide ceilings of the job's limits, and what the commands see
   * read-only besides the system folders, `binDirs` and the runner's node (the demo programs' code).
   */
  sandbox?: LocalSandbox;
}

/** The sandbox as a command gets it: its limits' ceilings, what it sees read-only, and who it runs as. */
interface Sandbox {
  ceilings: SandboxLimits;
  readOnly: string[];
  user?: SandboxUser;
  bwrap?: string;
  withoutProc?: boolean;
}

/** The file descriptor of the command's child process on which bubblewrap reports the sandbox's namespaces. */
const INFO_FD = 3;

/**
 * The reference backend: each job's command is a child process on this machine in its own scratch
 * folder, started from its argument vector without a shell, in a process group of its own so that
 * stopping it stops whatever it started too, and stopped once it passes its time limit. Its environment
 * is made here, not inherited (`commandEnvironment`).
 *
 * Sandboxed (bubblewrap, `sandboxedArgv`), the command has its own user, PID, mount and IPC namespaces
 * and no network unless its template asks for it; it sees the system folders and its program read-only
 * and only its job folder writable, runs as `nobody` when the runner is root, and is stopped when it
 * breaks one of its limits (`SandboxWatch`); outputs past their limits fail it too.
 */
export class LocalBackend implements ExecutionBackend {
  readonly name = 'local';
  private readonly stopGraceMs: number;
  private readonly sandboxed?: Sandbox;
  /** Made once, when the sandbox user is not the runner's own (`stagingMounts`). */
  private stagingDir?: Promise<string>;

  constructor(private readonly options: LocalBackendOptions) {
    this.stopGraceMs = options.stopGraceMs ?? 3_000;
    const sandbox = options.sandbox ?? {};
    if (sandbox !== 'none') {
      const user = sandboxUserFor(process.getuid?.() ?? -1);
      this.sandboxed = {
        ceilings: sandbox.ceilings ?? DEFAULT_CEILINGS,
        readOnly: [...new Set([...options.binDirs, dirname(process.execPath), ...(sandbox.readOnly ?? [])])].filter((path) => !isBelowAny(path, SYSTEM_FOLDERS)),
        ...(user && { user }),
        ...(sandbox.bwrap && { bwrap: sandbox.bwrap }),
        ...(sandbox.withoutProc && { withoutProc: true }),
      };
    }
  }

  /** What keeps its commands from the runner. */
  get sandbox(): 'bubblewrap' | 'none' {
    return this.sandboxed ? 'bubblewrap' : 'none';
  }

  /**
   * Why a sandboxed command cannot run here (bubblewrap missing, no user namespaces, ...), found by
   * running one: undefined when it ran.
   */
  async sandboxProblem(): Promise<string | undefined> {
    let said = '';
    const workspace = await this.stage('sandbox-check', []);
    try {
      const end = await this.start(workspace, { argv: ['true'], machine: { type: 'cpu', performance: 'standard' }, timeLimitSeconds: 30 }, { output: ({ text }) => void (said += text) }).ended;
      if (end.started && end.exitCode === 0) return undefined;
      return `bubblewrap cannot run here: ${said.trim().split('\n')[0] || (end.started ? `it exited with ${end.exitCode ?? end.signal}` : end.reason)}`;
    } finally {
      await this.release(workspace);
    }
  }

  async stage(jobId: string, inputs: readonly InputSource[]): Promise<Workspace> {
    await mkdir(this.options.scratchDir, { recursive: true });
    const workspace = await stageWorkspace(await mkdtemp(join(this.options.scratchDir, `job-${jobId}-`)), jobId, inputs);
    try {
      const user = this.sandboxed?.user;
      if (user) await Promise.all([handOver(workspace.workDir, user), this.staging()]);
    } catch (error) {
      await this.release(workspace);
      throw error;
    }
    return workspace;
  }

  /** The staging folder of the mounts by which the sandbox user reaches the job's folder and the read-only paths. */
  private staging(): Promise<string> {
    this.stagingDir ??= mkdtemp(join(tmpdir(), 'cairn-sandbox-')).then(async (dir) => {
      await stagingMounts(dir, this.sandboxed?.readOnly ?? []);
      return dir;
    });
    return this.stagingDir;
  }

  start(workspace: Workspace, spec: CommandSpec, observer: CommandObserver): RunningCommand {
    const env = commandEnvironment(workspace, this.options.binDirs, this.options.env);
    // With a prologue, bash is what starts, and it looks for the program once the prologue has set PATH.
    const [program, ...args] = spec.prologue && spec.prologue.length > 0 ? prologueLaunchOf(spec.prologue, spec.argv) : spec.argv;
    const sandbox = this.sandboxed;
    const policy = sandbox && sandboxPolicyOf(spec.sandbox, sandbox.ceilings);
    let limitBroken: string | undefined;
    const watch = policy && new SandboxWatch(policy.limits, workspace.outputDir, (limit) => {
      limitBroken = limitReason(limit, policy.limits);
      void stop();
    });
    let child: ReturnType<typeof spawn> | undefined;
    let finished = false;
    const ended = (async (): Promise<CommandEnd> => {
      if (!program) return { started: false, reason: 'the command is empty' };
      const visible = sandbox && [...SYSTEM_FOLDERS, ...sandbox.readOnly, workspace.workDir];
      const executable = await findExecutable(program, env.PATH, workspace.workDir, visible);
      if (!executable) return { started: false, reason: `"${program}" is not an executable on the runner's PATH${visible ? ' that the sandbox shows' : ''}` };
      const layout = {
        workDir: workspace.workDir,
        readOnly: sandbox?.readOnly ?? [],
        infoFd: INFO_FD,
        ...(sandbox?.bwrap && { bwrap: sandbox.bwrap }),
        ...(sandbox?.withoutProc && { withoutProc: true }),
        ...(sandbox?.user && { dropTo: sandbox.user, stagingDir: await this.staging() }),
      };
      const [file, ...argv] = policy ? sandboxedArgv([executable, ...args], policy, layout) : [executable, ...args];
      return new Promise<CommandEnd>((settle) => {
        const spawned = spawn(file, argv, { cwd: workspace.workDir, env, stdio: ['ignore', 'pipe', 'pipe', ...(watch ? ['pipe' as const] : [])], detached: true });
        child = spawned;
        if (watch) followSandboxInfo(spawned.stdio[INFO_FD] as Readable, (pidNamespace, initPid) => watch.follow(pidNamespace, initPid));
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
          watch?.stop();
          exit = { started: true, exitCode, signal, ...(timedOut ? { timedOutAfterSeconds: spec.timeLimitSeconds } : {}) };
          killGroup(spawned.pid, 'SIGKILL');
        });
        spawned.once('close', (exitCode, signal) => {
          finished = true;
          void Promise.allSettled([...deliveries])
            .then(async () => limitBroken ?? (policy && (await outputsOverLimit(workspace.outputDir, policy.limits))))
            .then((broken) => settle({ ...(exit ?? { started: true, exitCode, signal }), ...(broken !== undefined && { limitBroken: broken }) }));
        });
      });
    })();
    // Politely first: bubblewrap ends the whole sandbox at once when it is signalled itself, so the command's processes are asked one by one.
    const stop = async () => {
      if (!finished && child?.pid !== undefined) {
        const inside = (await watch?.commandProcesses()) ?? [];
        if (inside.length > 0) for (const pid of inside) signal(pid, 'SIGTERM');
        else killGroup(child.pid, 'SIGTERM');
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

function killGroup(pid: number | undefined, name: NodeJS.Signals): void {
  if (pid !== undefined) signal(-pid, name);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Bubblewrap's report on its info descriptor, a JSON object once the sandbox stands: its PID namespace and first process. */
function followSandboxInfo(stream: Readable, found: (pidNamespace: number, initPid: number) => void): void {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
    try {
      const info = JSON.parse(text) as { 'pid-namespace'?: number; 'child-pid'?: number };
      if (typeof info['pid-namespace'] === 'number' && typeof info['child-pid'] === 'number') found(info['pid-namespace'], info['child-pid']);
    } catch {
      // Not all of it yet.
    }
  });
}

/** The reason the outputs break their limits (number of files, total bytes), once the command has ended. */
async function outputsOverLimit(outputDir: string, limits: SandboxLimits): Promise<string | undefined> {
  const broken = brokenLimit(await outputUsage(outputDir, limits), limits);
  return broken && limitReason(broken, limits);
}

/**
 * Like a shell's lookup: a name with a slash is a path (relative to the work folder), else the first
 * executable on PATH; with `visible`, only one below those folders (what a sandbox shows).
 */
async function findExecutable(program: string, path: string, workDir: string, visible?: readonly string[]): Promise<string | undefined> {
  const candidates = (
    program.includes('/') ? [isAbsolute(program) ? program : resolve(workDir, program)] : path.split(delimiter).filter((folder) => folder !== '').map((folder) => join(folder, program))
  ).filter((candidate) => !visible || isBelowAny(candidate, visible));
  for (const candidate of candidates) {
    const executable = await access(candidate, constants.X_OK).then(
      async () => (await stat(candidate)).isFile(),
      () => false,
    );
    if (executable) return candidate;
  }
  return undefined;
}
