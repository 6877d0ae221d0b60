import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { siteOf, type Site } from '../src/domain/site';

/** Like Environment Modules, whose init script defines `module` as a shell function: this one notes in LOADED what it loads. */
export const MODULE_FUNCTION = 'module() { shift; for loaded in "$@"; do LOADED="${LOADED:+$LOADED }$loaded"; done; export LOADED; }';

/**
 * A facility's site as the specs play it, in `folder` (which the commands must see: a shared folder on
 * Slurm): a bin folder with a container runtime's stand-in (`run-in-image`, which says which image it was
 * given and runs the rest), a variable, the modules dials and openbabel/3.1 through `MODULE_FUNCTION`, and
 * one image.
 */
export function testSiteIn(folder: string): Site {
  const bin = join(folder, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'run-in-image'), '#!/bin/sh\necho "in image $1"\nshift\nexec "$@"\n', { mode: 0o755 });
  for (const path of [folder, bin]) chmodSync(path, 0o755);
  return siteOf(
    {
      binDirs: [bin],
      env: { FACILITY: 'beamline-7' },
      prologue: [MODULE_FUNCTION],
      modules: { available: ['dials', 'openbabel/3.1'] },
      images: { 'dials-3.12': '/images/dials-3.12.sif' },
      wrapper: ['run-in-image', '{image}'],
    },
    'the test site',
  );
}
