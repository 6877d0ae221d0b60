import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { leasePort } from './ports';
import { ServerProcess, waitUntil } from './processes';

const run = promisify(execFile);

/** Debian's Slurm 22.05 and MUNGE, as `deploy/local/install-tools.sh` installs them. */
const SLURM_PROGRAMS = {
  munged: '/usr/sbin/munged',
  mungekey: '/usr/sbin/mungekey',
  slurmctld: '/usr/sbin/slurmctld',
  slurmd: '/usr/sbin/slurmd',
  sinfo: '/usr/bin/sinfo',
  sbatch: '/usr/bin/sbatch',
  squeue: '/usr/bin/squeue',
  scancel: '/usr/bin/scancel',
} as const;

const STAND_IN_DEVICES = ['/dev/null', '/dev/zero', '/dev/full', '/dev/urandom'];

export interface SlurmPartition {
  name: string;
  /** Jobs without `--partition` go here; the first partition is the default when none says so. */
  isDefault?: boolean;
}

export interface SlurmClusterOptions {
  partitions?: SlurmPartition[];
  /** Seconds a finished job stays in `squeue` / `scontrol` (Slurm's `MinJobAge`; its minimum is 2). */
  minJobAge?: number;
  /** Generic GPUs the node declares (backed by no device), so `--gres=gpu:N` can be scheduled. */
  gpus?: number;
  /**
   * CPUs the node declares (default: this machine's). More than it has lets many jobs that mostly wait
   * run at once, as on a cluster; slurmd is told to believe the configuration over the hardware.
   */
  cpus?: number;
}

export interface SlurmClusterHandle {
  /** What every Slurm client (`sbatch`, `squeue`, `scontrol`, `scancel`) needs to talk to this cluster. */
  env: { SLURM_CONF: string };
  confFile: string;
  nodeName: string;
  partitions: string[];
  /** A folder the node can read and write: where jobs may be staged. */
  sharedDir: string;
  logDir: string;
  stop(): Promise<void>;
}

/**
 * Why a private Slurm cluster cannot start on this machine (the programs are missing, or it is not run as
 * root, which slurmd needs to start jobs as their users), or undefined when it can. Tests that need Slurm
 * are reported as skipped with this reason, never as passed.
 */
export function slurmUnavailableReason(): string | undefined {
  const missing = Object.values(SLURM_PROGRAMS).filter((program) => !existsSync(program));
  if (missing.length > 0) {
    return `Slurm is not installed (missing ${missing.join(', ')}): deploy/local/install-tools.sh installs Debian's slurmctld, slurmd, slurm-client and munge as root`;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'a private Slurm cluster needs root (slurmd starts jobs as their users)';
  return undefined;
}

/**
 * A private single-node Slurm cluster for one test run: its own MUNGE key and daemon, `slurmctld` and
 * `slurmd` on leased ports, state and spool in a temp folder, no cgroups (`proctrack/linuxproc`,
 * `task/none`), one node with this machine's CPUs. Several can run side by side; `stop` ends all three
 * daemons and removes the folder.
 */
export async function startSlurmCluster(options: SlurmClusterOptions = {}): Promise<SlurmClusterHandle> {
  const unavailable = slurmUnavailableReason();
  if (unavailable) throw new Error(unavailable);
  const partitions = options.partitions ?? [{ name: 'cpu', isDefault: true }];
  const gpus = options.gpus ?? 2;
  const cpus = options.cpus ?? availableParallelism();
  if (gpus > STAND_IN_DEVICES.length) throw new Error(`at most ${STAND_IN_DEVICES.length} stand-in GPUs`);
  const root = mkdtempSync(join(tmpdir(), 'cairn-slurm-'));
  const dirs = { state: join(root, 'state'), spool: join(root, 'spool'), log: join(root, 'log'), run: join(root, 'run'), shared: join(root, 'shared') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });

  // slurmctld and slurmd bind every address on the ports their config names, so these are leased.
  const leases = [await leasePort(), await leasePort()];
  const [controllerPort, nodePort] = leases.map((lease) => lease.port);
  const nodeName = `cairn${nodePort}`;
  const mungeSocket = join(dirs.run, 'munge.socket');
  const keyFile = join(root, 'munge.key');
  await run(SLURM_PROGRAMS.mungekey, ['--create', `--keyfile=${keyFile}`, '--force']);
  chmodSync(keyFile, 0o600);

  const confFile = join(root, 'slurm.conf');
  const defaultPartition = partitions.find((partition) => partition.isDefault)?.name ?? partitions[0].name;
  writeFileSync(
    confFile,
    [
      `ClusterName=cairn${controllerPort}`,
      // slurmctld serves only where the host's own name is the controller's.
      `SlurmctldHost=${hostname()}(127.0.0.1)`,
      'MailProg=/bin/true',
      `SlurmctldPort=${controllerPort}`,
      `SlurmdPort=${nodePort}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${mungeSocket}`,
      `StateSaveLocation=${dirs.state}`,
      `SlurmdSpoolDir=${dirs.spool}`,
      `SlurmctldPidFile=${join(dirs.run, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dirs.run, 'slurmd.pid')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'MpiDefault=none',
      'SwitchType=switch/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'SchedulerType=sched/backfill',
      'ReturnToService=2',
      ...(cpus > availableParallelism() ? ['SlurmdParameters=config_overrides'] : []),
      `MinJobAge=${options.minJobAge ?? 2}`,
      // Slurm waits this long for a job's processes after its time limit before it kills them.
      'KillWait=2',
      'OverTimeLimit=0',
      'GresTypes=gpu',
      `NodeName=${nodeName} NodeAddr=127.0.0.1 NodeHostname=127.0.0.1 CPUs=${cpus} RealMemory=4096 Gres=gpu:${gpus} State=UNKNOWN`,
      ...partitions.map(
        (partition) => `PartitionName=${partition.name} Nodes=${nodeName} Default=${partition.name === defaultPartition ? 'YES' : 'NO'} MaxTime=INFINITE State=UP`,
      ),
      '',
    ].join('\n'),
  );
  // A GPU gres needs a distinct character device per unit; harmless ones stand in, since nothing opens them.
  const gpuDevices = STAND_IN_DEVICES.slice(0, gpus);
  writeFileSync(join(root, 'gres.conf'), gpuDevices.map((device) => `NodeName=${nodeName} Name=gpu File=${device}\n`).join(''));

  const env = { ...process.env, SLURM_CONF: confFile };
  const daemons: ServerProcess[] = [];
  const stop = async () => {
    // Stopping slurmd leaves its job steps running (slurmstepd detaches from it), so the jobs go first.
    if (daemons.length === 3) await cancelEveryJob(env).catch(() => undefined);
    for (const daemon of daemons.reverse()) await daemon.stop('SIGTERM', 5_000);
    await killProcessesOf(confFile);
    rmSync(root, { recursive: true, force: true });
    leases.forEach((lease) => lease.release());
  };
  try {
    const munged = new ServerProcess('munged', SLURM_PROGRAMS.munged, [
      '--foreground',
      '--force',
      `--key-file=${keyFile}`,
      `--socket=${mungeSocket}`,
      `--pid-file=${join(dirs.run, 'munged.pid')}`,
      `--seed-file=${join(dirs.run, 'munge.seed')}`,
      `--log-file=${join(dirs.log, 'munged.log')}`,
    ], join(dirs.log, 'munged.out'), env);
    munged.start();
    daemons.push(munged);
    await waitUntil(`munged (log: ${dirs.log})`, async () => existsSync(mungeSocket));

    const controller = new ServerProcess('slurmctld', SLURM_PROGRAMS.slurmctld, ['-D', '-f', confFile, '-L', join(dirs.log, 'slurmctld.log')], join(dirs.log, 'slurmctld.out'), env);
    controller.start();
    daemons.push(controller);
    const node = new ServerProcess('slurmd', SLURM_PROGRAMS.slurmd, ['-D', '-f', confFile, '-N', nodeName, '-L', join(dirs.log, 'slurmd.log')], join(dirs.log, 'slurmd.out'), env);
    node.start();
    daemons.push(node);
    await waitUntil(
      `slurm node ${nodeName} idle (logs: ${dirs.log})`,
      async () => {
        // One line per partition the node is in.
        const { stdout } = await run(SLURM_PROGRAMS.sinfo, ['-h', '-N', '-n', nodeName, '-o', '%T'], { env });
        const states = stdout.trim().split('\n');
        return states.length === partitions.length && states.every((state) => state === 'idle');
      },
      30_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { env: { SLURM_CONF: confFile }, confFile, nodeName, partitions: partitions.map((partition) => partition.name), sharedDir: dirs.shared, logDir: dirs.log, stop };
}

/** Cancels every job of the cluster and waits (briefly) until none is left in its queue. */
async function cancelEveryJob(env: NodeJS.ProcessEnv): Promise<void> {
  await run(SLURM_PROGRAMS.scancel, ['--full', '--user=root'], { env });
  await waitUntil('the cluster\'s jobs to end', async () => (await run(SLURM_PROGRAMS.squeue, ['-h', '-o', '%i'], { env })).stdout.trim() === '', 15_000);
}

/**
 * Kills what is left of the cluster's job steps: each slurmstepd, and each job's process, whose environment
 * names this cluster's configuration (slurmstepd inherits slurmd's; a job is given `SLURM_CONF` and
 * `SLURM_JOB_ID`). A runner started with the same `SLURM_CONF` is neither, and is left to its test.
 */
async function killProcessesOf(confFile: string): Promise<void> {
  const ofThisCluster = (pid: string): boolean => {
    try {
      const environ = `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`;
      if (!environ.includes(`\0SLURM_CONF=${confFile}\0`)) return false;
      return readFileSync(`/proc/${pid}/comm`, 'latin1').trim() === 'slurmstepd' || environ.includes('\0SLURM_JOB_ID=');
    } catch {
      return false;
    }
  };
  const survivors = () =>
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
      .filter(ofThisCluster)
      .map(Number);
  for (const pid of survivors()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitUntil('the cluster\'s job steps to exit', async () => survivors().length === 0, 5_000).catch(() => undefined);
}
