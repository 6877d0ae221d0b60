import { execFile } from 'node:child_process';
import { chmod, lchown, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { SandboxPolicy } from '../domain/sandbox-limits';

/** The system folders a command sees, read-only (those a machine does not have are left out). */
export const SYSTEM_FOLDERS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/opt'] as const;

/**
 * Who a sandboxed command is outside its user namespace, when not the runner's own user: a runner that
 * runs as root hands its jobs to `nobody`, since a root-owned process is spared the kernel's process
 * limit and, mapped to root in its namespace, may read every root-owned file of the folders it sees.
 */
export interface SandboxUser {
  uid: number;
  gid: number;
}

export const NOBODY: SandboxUser = { uid: 65534, gid: 65534 };

/** The user to drop to for a runner running as `runnerUid`: none unless it is root. */
export const sandboxUserFor = (runnerUid: number): SandboxUser | undefined => (runnerUid === 0 ? NOBODY : undefined);

/** Is `path` one of `folders` or below one of them? */
export function isBelowAny(path: string, folders: readonly string[]): boolean {
  return folders.some((folder) => {
    const rest = relative(folder, path);
    return rest === '' || (!rest.startsWith(`..${sep}`) && rest !== '..' && !isAbsolute(rest));
  });
}

/** `/tmp` is a small folder in memory for programs that insist on it; `TMPDIR` is the job's `tmp/` on disk. */
const SHARED_TMP_BYTES = 64 * 1024 ** 2;

export interface SandboxLayout {
  /** The job's folder: the only writable one besides a small `/tmp`, at its own path. */
  workDir: string;
  /** More folders or files to show read-only at their own paths (the demo programs, the runner's node). */
  readOnly: readonly string[];
  /** When the runner is root: the user the command runs as instead (`setpriv` drops to it before bubblewrap starts). */
  dropTo?: SandboxUser;
  /** The file descriptor bubblewrap writes the sandbox's process ids and namespaces to. */
  infoFd?: number;
}

/**
 * The argument vector that runs `argv` in a new user, PID, mount, IPC, UTS and (unless the policy gives
 * it the network) network namespace: system folders read-only, the job's folder writable, a fresh
 * `/proc` of its own PID namespace, a minimal `/dev` and a small `/tmp`, nothing else of the machine.
 * `prlimit` inside sets the kernel's bounds just past the job's limits, so that the runner, which stops
 * a job at its limit (`SandboxWatch`), sees the limit broken and can name it: one process (thread) more,
 * a second more of CPU time and twice the memory per process, and one byte more per file.
 */
export function sandboxedArgv(argv: readonly string[], policy: SandboxPolicy, layout: SandboxLayout): string[] {
  const { limits } = policy;
  const drop = layout.dropTo ? ['setpriv', `--reuid=${layout.dropTo.uid}`, `--regid=${layout.dropTo.gid}`, '--clear-groups', '--'] : [];
  return [
    ...drop,
    'bwrap',
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(policy.network ? [] : ['--unshare-net']),
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    ...(layout.infoFd === undefined ? [] : ['--info-fd', String(layout.infoFd)]),
    ...SYSTEM_FOLDERS.flatMap((folder) => ['--ro-bind-try', folder, folder]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(SHARED_TMP_BYTES),
    '--tmpfs',
    '/tmp',
    ...layout.readOnly.flatMap((path) => ['--ro-bind', path, path]),
    '--bind',
    layout.workDir,
    layout.workDir,
    '--chdir',
    layout.workDir,
    '--',
    'prlimit',
    `--nproc=${limits.processes + 1}`,
    `--cpu=${limits.cpuSeconds + 1}`,
    `--data=${2 * limits.memoryBytes}`,
    `--fsize=${limits.outputBytes + 1}`,
    '--',
    ...argv,
  ];
}

/**
 * Whether bubblewrap can run a command here, as `user` when given, with a folder below the scratch
 * folder and `readOnly` bound: the reason when it cannot (not installed, no user namespaces, a folder
 * that user cannot reach), else undefined.
 */
export async function bubblewrapProblem(scratchDir: string, readOnly: readonly string[], user: SandboxUser | undefined): Promise<string | undefined> {
  const workDir = await mkdtemp(join(scratchDir, 'sandbox-check-'));
  try {
    await mkdir(join(workDir, 'tmp'));
    await handOver(workDir, user);
    const probe = { network: false, limits: { memoryBytes: 1024 ** 3, processes: 64, cpuSeconds: 10, outputFiles: 1, outputBytes: 1024 } };
    const argv = sandboxedArgv(['true'], probe, { workDir, readOnly, ...(user ? { dropTo: user } : {}) });
    return await new Promise<string | undefined>((resolve) => {
      execFile(argv[0], argv.slice(1), { env: { PATH: SYSTEM_PATH }, timeout: 10_000 }, (error, _stdout, stderr) => {
        if (!error) return resolve(undefined);
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        resolve(missing ? `${argv[0]} is not installed` : `bubblewrap cannot run here: ${stderr.trim().split('\n')[0] || error.message}`);
      });
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Where `bwrap`, `setpriv` and `prlimit` are looked up. */
export const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * Gives the job's folder, and everything staged in it, to the sandbox user where that is not the
 * runner's own, and lets that user through the scratch folder above it (search only, no listing).
 */
export async function handOver(workDir: string, user: SandboxUser | undefined): Promise<void> {
  if (!user) return;
  await chmod(dirname(workDir), 0o711);
  const give = async (path: string): Promise<void> => {
    await lchown(path, user.uid, user.gid);
    const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isDirectory()) await give(join(path, entry.name));
      else await lchown(join(path, entry.name), user.uid, user.gid);
    }
  };
  await give(workDir);
}
