import { chmod, lchown, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
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
  /** With `dropTo`: the mount points `stagingMounts` made, where that user finds what it binds. */
  stagingDir?: string;
  /** The file descriptor bubblewrap writes the sandbox's process ids and namespaces to. */
  infoFd?: number;
  /** The bubblewrap program (`CAIRN_RUNNER_BWRAP`); default `bwrap` on PATH. */
  bwrap?: string;
  /**
   * No `/proc` at all (`CAIRN_RUNNER_SANDBOX_PROC=none`): where the runner's own `/proc` is masked, as in a
   * container, the kernel refuses the sandbox a fresh one.
   */
  withoutProc?: boolean;
}

/**
 * As root, in a mount namespace of the job's own: binds each source (which may lie below folders only
 * root enters, the platform's home for one) on its mount point in the staging folder, which `nobody`
 * reaches, then runs the rest. `sh -c` takes `source mountpoint ... -- command...`.
 */
const STAGING_PREFIX = [
  'unshare',
  '--mount',
  '--propagation',
  'private',
  '--',
  'sh',
  '-c',
  'while [ "$1" != -- ]; do mount --bind "$1" "$2" || exit 125; shift 2; done; shift; exec "$@"',
  'sh',
];

/**
 * The staging folder's mount points, one for the job's folder (`work`) and one for each read-only path
 * (`ro-<index>`, a folder or a file as the path is), below a folder the sandbox user may pass through.
 */
export async function stagingMounts(stagingDir: string, readOnly: readonly string[]): Promise<void> {
  await mkdir(join(stagingDir, 'work'), { recursive: true });
  for (const [index, path] of readOnly.entries()) {
    const mountPoint = join(stagingDir, `ro-${index}`);
    if ((await stat(path)).isDirectory()) await mkdir(mountPoint, { recursive: true });
    else await writeFile(mountPoint, '', { flag: 'a' });
  }
  await chmod(stagingDir, 0o711);
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
  const { dropTo, stagingDir } = layout;
  // Bound from where the sandbox user reaches them: the staging mount points when it is not the runner's own user.
  const sourceOf = (path: string, index: number) => (dropTo && stagingDir ? join(stagingDir, index < 0 ? 'work' : `ro-${index}`) : path);
  const staging = dropTo && stagingDir ? [...layout.readOnly.flatMap((path, index) => [path, sourceOf(path, index)]), layout.workDir, sourceOf(layout.workDir, -1)] : [];
  const drop = dropTo ? [...(staging.length > 0 ? [...STAGING_PREFIX, ...staging, '--'] : []), 'setpriv', `--reuid=${dropTo.uid}`, `--regid=${dropTo.gid}`, '--clear-groups', '--'] : [];
  return [
    ...drop,
    layout.bwrap ?? 'bwrap',
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
    ...(layout.withoutProc ? [] : ['--proc', '/proc']),
    '--dev',
    '/dev',
    '--size',
    String(SHARED_TMP_BYTES),
    '--tmpfs',
    '/tmp',
    ...layout.readOnly.flatMap((path, index) => ['--ro-bind', sourceOf(path, index), path]),
    '--bind',
    sourceOf(layout.workDir, -1),
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

/** Gives the job's folder, and everything staged in it, to the sandbox user where that is not the runner's own. */
export async function handOver(workDir: string, user: SandboxUser | undefined): Promise<void> {
  if (!user) return;
  const give = async (path: string): Promise<void> => {
    await lchown(path, user.uid, user.gid);
    for (const entry of await readdir(path, { withFileTypes: true })) {
      if (entry.isDirectory()) await give(join(path, entry.name));
      else await lchown(join(path, entry.name), user.uid, user.gid);
    }
  };
  await give(workDir);
}
