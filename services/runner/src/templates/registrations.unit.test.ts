import Ajv2020 from 'ajv/dist/2020';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_MACHINES, expandCommand, machineKeyOf, unknownPlaceholdersOf } from '@cairn/contracts';
import { demoTemplate, demoTemplates, type JobTemplateRegistration } from '@cairn/testing';
import { fileStatistics } from './file-statistics/file-statistics';
import type { ProgramOutput } from './program';
import { DEMO_PROGRAMS } from './programs';
import { renderMolecule } from './render-molecule/render-molecule';

const SAMPLES = join(__dirname, '../../samples');
const DEMO_TEMPLATES = demoTemplates();
const FILE_STATISTICS = demoTemplate('File Statistics');
const RENDER_MOLECULE = demoTemplate('Render Molecule');
const quiet: ProgramOutput = { out: () => undefined, err: () => undefined };
const PROGRAMS: Record<string, (argv: string[], output: ProgramOutput) => Promise<void>> = {
  'cairn-file-stats': fileStatistics,
  'cairn-render-molecule': renderMolecule,
};

/** The parameters a job gets when it sets none: the schema's defaults, filled in as the jobs service's Ajv (2020-12, strict) does. */
function defaultsOf(template: JobTemplateRegistration): Record<string, unknown> {
  const parameters = {};
  const validate = new Ajv2020({ useDefaults: true, strict: true }).compile(template.parameters);
  expect(validate(parameters)).toBe(true);
  return parameters;
}

describe.each(DEMO_TEMPLATES.map((template) => [`${template.name}@${template.version}`, template] as const))('the demo template %s', (_name, template) => {
  it('names only placeholders the runner knows, and a program the runner puts on the PATH', () => {
    expect(unknownPlaceholdersOf(template.command)).toEqual([]);
    expect(Object.keys(DEMO_PROGRAMS)).toContain(template.command[0]);
  });

  it('gives every parameter a default, and passes every parameter to its command', () => {
    const properties = Object.keys((template.parameters as { properties: object }).properties);
    const placeholders = template.command.flatMap((element) => [...element.matchAll(/\{\{parameters\.(\w+)\}\}/g)].map((match) => match[1]));
    expect([...placeholders].sort()).toEqual([...properties].sort());
    expect(Object.keys(defaultsOf(template)).sort()).toEqual([...properties].sort());
  });

  it('allows machine types that exist', () => {
    expect(template.machineTypes.every((machine) => ALL_MACHINES.map(machineKeyOf).includes(machine))).toBe(true);
  });
});

describe('the demo templates\' commands, expanded as the runner expands them', () => {
  it('run File Statistics with its defaults on the staged inputs', async () => {
    const out = mkdtempSync(join(tmpdir(), 'template-'));
    const [program, ...args] = expandCommand(FILE_STATISTICS.command, {
      inputs: [join(SAMPLES, 'measurements.csv'), join(SAMPLES, 'water.xyz')],
      outputDir: out,
      workDir: tmpdir(),
      parameters: defaultsOf(FILE_STATISTICS),
    });
    await PROGRAMS[program](args, quiet);
    expect(readdirSync(out).sort()).toEqual(['report.txt', 'stats.json']);
  });

  it('run Render Molecule with every style and view the schema allows', async () => {
    const schema = RENDER_MOLECULE.parameters as { properties: { style: { enum: string[] }; view: { enum: string[] } } };
    for (const style of schema.properties.style.enum) {
      for (const view of schema.properties.view.enum) {
        const out = mkdtempSync(join(tmpdir(), 'template-'));
        const [program, ...args] = expandCommand(RENDER_MOLECULE.command, {
          inputs: [join(SAMPLES, 'helix.pdb')],
          outputDir: out,
          workDir: tmpdir(),
          parameters: { ...defaultsOf(RENDER_MOLECULE), style, view },
        });
        await PROGRAMS[program](args, quiet);
        expect(readdirSync(out).sort()).toEqual(['helix.png', 'helix.svg']);
      }
    }
  });

  it('keep an input whose name starts with a dash an input, not an option', async () => {
    const out = mkdtempSync(join(tmpdir(), 'template-'));
    const [program, ...args] = expandCommand(FILE_STATISTICS.command, { inputs: ['--bins=3'], outputDir: out, workDir: tmpdir(), parameters: defaultsOf(FILE_STATISTICS) });
    await expect(PROGRAMS[program](args, quiet)).rejects.toThrow("ENOENT: no such file or directory, open '--bins=3'");
  });
});
