import { SlurmCli } from './slurm-cli';

describe('the Slurm clients\' environment (sbatch hands it to the job with --export=ALL)', () => {
  it('keeps what the clients read, SLURM_CONF and the SBATCH_* defaults a facility sets, and nothing else of the runner\'s: not its token, not a surrounding allocation\'s SLURM_* job variables', () => {
    expect(
      SlurmCli.environmentFrom({
        PATH: '/usr/bin',
        HOME: '/home/cairn',
        USER: 'cairn',
        SLURM_CONF: '/etc/slurm/slurm.conf',
        SBATCH_ACCOUNT: 'facility',
        CAIRN_RUNNER_TOKEN: 'eyJ...',
        CAIRN_DEV_JWT_SECRET: 'secret',
        NATS_URL: 'nats://nats:4222',
        SLURM_JOB_ID: '41',
      }),
    ).toEqual({ PATH: '/usr/bin', HOME: '/home/cairn', USER: 'cairn', SLURM_CONF: '/etc/slurm/slurm.conf', SBATCH_ACCOUNT: 'facility' });
  });
});
