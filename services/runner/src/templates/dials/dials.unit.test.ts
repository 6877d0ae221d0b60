import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dialsUnavailableReason } from '@cairn/testing';
import { UsageError } from '../program';
import { dials, dialsCommandsOf } from './dials';

const IMAGES = join(__dirname, '../../../samples/diffraction');
const frames = () => readdirSync(IMAGES).filter((name) => name.endsWith('.cbf')).sort().map((name) => join(IMAGES, name));
const quiet = { out: () => undefined, err: () => undefined };

describe('the DIALS program: the commands it runs', () => {
  it('imports the images, then finds spots in what it imported, each writing its log into the output folder', () => {
    expect(dialsCommandsOf('/out', ['/in/a.cbf', '/in/b.cbf'], { steps: 'find_spots', minSpotSize: 4, nproc: 2 })).toEqual([
      ['dials.import', '/in/a.cbf', '/in/b.cbf', 'output.experiments=/out/imported.expt', 'output.log=/out/dials.import.log'],
      ['dials.find_spots', '/out/imported.expt', 'output.reflections=/out/strong.refl', 'output.log=/out/dials.find_spots.log', 'spotfinder.filter.min_spot_size=4', 'spotfinder.mp.nproc=2'],
    ]);
  });

  it('stops after the import when told so', () => {
    expect(dialsCommandsOf('/out', ['/in/a.cbf'], { steps: 'import', minSpotSize: 3, nproc: 1 }).map((command) => command[0])).toEqual(['dials.import']);
  });

  it.each([
    [['--out', '/tmp/x', '--steps', 'index', 'a.cbf'], '--steps must be one of import, find_spots, got "index"'],
    [['--out', '/tmp/x', '--nproc', '0', 'a.cbf'], '--nproc must be an integer from 1 to 64, got "0"'],
    [['--out', '/tmp/x'], 'name the image files of one sweep'],
  ])('refuses %j as a usage error', async (argv, message) => {
    const refusal = dials(argv, quiet);
    await expect(refusal).rejects.toBeInstanceOf(UsageError);
    await expect(refusal).rejects.toThrow(message);
  });
});

const withoutDials = dialsUnavailableReason();

(withoutDials ? describe.skip : describe)(`the DIALS program on the made PILATUS sweep (samples/diffraction)${withoutDials ? ` (skipped: ${withoutDials})` : ''}`, () => {
  it('writes imported.expt, strong.refl and both DIALS logs, and passes DIALS output on as the job log', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dials-'));
    const lines: string[] = [];
    await dials(['--out', out, '--steps', '', '--min-spot-size', '', '--nproc', '', '--', ...frames()], { out: (line) => lines.push(line), err: (line) => lines.push(line) });

    expect(readdirSync(out).sort()).toEqual(['dials.find_spots.log', 'dials.import.log', 'imported.expt', 'strong.refl']);
    expect(JSON.parse(readFileSync(join(out, 'imported.expt'), 'utf8')).imageset[0].__id__).toBe('ImageSequence');
    expect(lines.join('\n')).toMatch(/Saved \d+ reflections to .*strong\.refl/);
  }, 120_000);

  it('fails when DIALS cannot read the images, with what dials.import said in the log', async () => {
    const lines: string[] = [];
    const failed = dials(['--out', mkdtempSync(join(tmpdir(), 'dials-')), join(IMAGES, 'make-images.py')], { out: (line) => lines.push(line), err: (line) => lines.push(line) });
    await expect(failed).rejects.toThrow('dials.import wrote no imported.expt: it could not use the inputs (its output above says why)');
    expect(lines.join('\n')).toContain('Unable to handle the following arguments');
  }, 60_000);
});
