import { ALL_MACHINES, machineKeyOf, type TemplateRegisteredData } from '@cairn/contracts';
import { FILE_STATISTICS_DEFAULTS } from './file-statistics/file-statistics';
import { MAX_WIDTH, MIN_WIDTH, RENDER_MOLECULE_DEFAULTS } from './render-molecule/render-molecule';
import { STYLES, VIEWS } from './render-molecule/svg';

/**
 * What `POST /api/job-templates` takes (docs/api.md, "Jobs"): the registered event's data without what the jobs
 * service adds (the template's id, who registered it), the time limit and `deterministic` optional.
 */
export type JobTemplateRegistration = Omit<TemplateRegisteredData, 'templateId' | 'actor' | 'timeLimitSeconds' | 'deterministic'> & { timeLimitSeconds?: number; deterministic?: boolean };

/** Both demo programs take well under a second on the samples; ten minutes leaves room for large inputs. */
const DEMO_TIME_LIMIT_SECONDS = 600;

/** The demo programs run everywhere: CPU or GPU makes no difference to them, which a rerun's comparison shows. */
const EVERY_MACHINE = ALL_MACHINES.map(machineKeyOf);

export const FILE_STATISTICS: JobTemplateRegistration = {
  name: 'File Statistics',
  version: '1.0.0',
  description: 'Lines, bytes, SHA-256 and a byte-value histogram of each input, written as stats.json and report.txt.',
  parameters: {
    type: 'object',
    additionalProperties: false,
    properties: {
      bins: { type: 'integer', minimum: 1, maximum: 256, default: FILE_STATISTICS_DEFAULTS.bins, description: 'Histogram bins over the byte values 0..255.' },
      title: { type: 'string', minLength: 1, maxLength: 200, default: FILE_STATISTICS_DEFAULTS.title, description: 'Heading of report.txt.' },
    },
  },
  inputTypes: ['txt', 'csv', 'tsv', 'json', 'log', 'dat', 'xyz', 'pdb', 'cif', 'mtz', 'h5', 'tif'],
  machineTypes: EVERY_MACHINE,
  command: ['cairn-file-stats', '--out', '{{outputDir}}', '--bins', '{{parameters.bins}}', '--title', '{{parameters.title}}', '--', '{{inputs}}'],
  timeLimitSeconds: DEMO_TIME_LIMIT_SECONDS,
};

export const RENDER_MOLECULE: JobTemplateRegistration = {
  name: 'Render Molecule',
  version: '1.0.0',
  description: 'An SVG picture of each XYZ or PDB input: atoms in CPK colours, bonds by distance, seen from the front, side, top or all three.',
  parameters: {
    type: 'object',
    additionalProperties: false,
    properties: {
      style: { type: 'string', enum: [...STYLES], default: RENDER_MOLECULE_DEFAULTS.style, description: 'cartoon draws a protein backbone as a tube.' },
      view: { type: 'string', enum: [...VIEWS], default: RENDER_MOLECULE_DEFAULTS.view, description: 'all puts front, side and top side by side.' },
      width: { type: 'integer', minimum: MIN_WIDTH, maximum: MAX_WIDTH, default: RENDER_MOLECULE_DEFAULTS.width, description: 'Image width in pixels.' },
    },
  },
  inputTypes: ['xyz', 'pdb'],
  machineTypes: EVERY_MACHINE,
  command: [
    'cairn-render-molecule',
    '--out',
    '{{outputDir}}',
    '--style',
    '{{parameters.style}}',
    '--view',
    '{{parameters.view}}',
    '--width',
    '{{parameters.width}}',
    '--',
    '{{inputs}}',
  ],
  timeLimitSeconds: DEMO_TIME_LIMIT_SECONDS,
};

/** What `npm start` registers. */
export const DEMO_TEMPLATES: readonly JobTemplateRegistration[] = [FILE_STATISTICS, RENDER_MOLECULE];
