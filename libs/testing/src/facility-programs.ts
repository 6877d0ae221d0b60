import { spawnSync } from 'node:child_process';

const installed = (program: string) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;

/**
 * Why the demo templates' real programs cannot run on this machine, or undefined when they can. Tests that need
 * them are reported as skipped with this reason, never as passed (deploy/templates/README.md).
 */
export function openBabelUnavailableReason(): string | undefined {
  return installed('obabel') ? undefined : "Open Babel is not installed (obabel): deploy/local/install-tools.sh installs Debian's openbabel as root";
}

/** DIALS (about 2.3 GB) is installed only on request: it would take a fresh machine's CI past its time budget. */
export function dialsUnavailableReason(): string | undefined {
  return installed('dials.import') && installed('dials.find_spots')
    ? undefined
    : "DIALS is not installed (dials.import, dials.find_spots): deploy/local/install-tools.sh --with-dials installs Debian's dials as root";
}
