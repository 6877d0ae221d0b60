import { DEFAULT_CEILINGS } from '../domain/sandbox-limits';
import { isBelowAny, NOBODY, sandboxedArgv, sandboxUserFor } from './bubblewrap';

const limits = { ...DEFAULT_CEILINGS, processes: 64, cpuSeconds: 60, memoryBytes: 1024 ** 3, outputBytes: 1000 };
const layout = { workDir: '/scratch/job-1', readOnly: ['/opt/cairn/dist/services/runner/src'], infoFd: 3 };

/** The values that follow each occurrence of `option` in an argument vector. */
const after = (argv: string[], option: string, count = 1) => argv.flatMap((value, index) => (value === option ? [argv.slice(index + 1, index + 1 + count)] : []));

describe('the bubblewrap argument vector of a job', () => {
  it('unshares user, PID, IPC, UTS and network namespaces, and shows system folders read-only, the job folder writable', () => {
    const argv = sandboxedArgv(['cairn-file-stats', '--out', '/scratch/job-1/out'], { network: false, limits }, layout);

    expect(argv[0]).toBe('bwrap');
    expect(argv).toEqual(expect.arrayContaining(['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-net', '--die-with-parent', '--new-session']));
    expect(after(argv, '--ro-bind-try', 2)).toEqual(expect.arrayContaining([['/usr', '/usr'], ['/etc', '/etc']]));
    expect(after(argv, '--ro-bind', 2)).toEqual([['/opt/cairn/dist/services/runner/src', '/opt/cairn/dist/services/runner/src']]);
    expect(after(argv, '--bind', 2)).toEqual([['/scratch/job-1', '/scratch/job-1']]);
    expect(after(argv, '--proc')).toEqual([['/proc']]);
    expect(argv.slice(argv.indexOf('prlimit'))).toEqual(['prlimit', '--nproc=65', '--cpu=61', `--data=${2 * 1024 ** 3}`, '--fsize=1001', '--', 'cairn-file-stats', '--out', '/scratch/job-1/out']);
  });

  it('mounts no /proc at all with CAIRN_RUNNER_SANDBOX_PROC=none (a container, whose masked /proc the kernel will not let it remount)', () => {
    expect(sandboxedArgv(['true'], { network: false, limits }, { ...layout, withoutProc: true })).not.toContain('--proc');
  });

  it('keeps the network namespace when the template asks for the network', () => {
    expect(sandboxedArgv(['true'], { network: true, limits }, layout)).not.toContain('--unshare-net');
  });

  it('drops from root to nobody before bubblewrap starts, binding what nobody cannot reach onto mount points it can', () => {
    expect(sandboxUserFor(0)).toEqual(NOBODY);
    expect(sandboxUserFor(1000)).toBeUndefined();
    const argv = sandboxedArgv(['true'], { network: false, limits }, { ...layout, dropTo: NOBODY, stagingDir: '/tmp/cairn-sandbox-1' });
    const staged = argv.indexOf('sh') + 4;
    expect(argv.slice(0, 4)).toEqual(['unshare', '--mount', '--propagation', 'private']);
    expect(argv.slice(staged, argv.indexOf('setpriv'))).toEqual(['/opt/cairn/dist/services/runner/src', '/tmp/cairn-sandbox-1/ro-0', '/scratch/job-1', '/tmp/cairn-sandbox-1/work', '--']);
    expect(argv.slice(argv.indexOf('setpriv'), argv.indexOf('bwrap') + 1)).toEqual(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', 'bwrap']);
    expect(after(argv, '--ro-bind', 2)).toEqual([['/tmp/cairn-sandbox-1/ro-0', '/opt/cairn/dist/services/runner/src']]);
    expect(after(argv, '--bind', 2)).toEqual([['/tmp/cairn-sandbox-1/work', '/scratch/job-1']]);
  });

  it('tells what a sandbox shows by folder, not by name prefix', () => {
    expect(isBelowAny('/usr/bin/node', ['/usr'])).toBe(true);
    expect(isBelowAny('/usr', ['/usr'])).toBe(true);
    expect(isBelowAny('/usrlocal/bin/x', ['/usr'])).toBe(false);
    expect(isBelowAny('/root/bin/x', ['/usr', '/scratch/job-1'])).toBe(false);
  });
});
