import { deciderSpec } from '@cairn/testing';
import { parseTemplateRef, templateDecider, type RegisterTemplate } from './template';
import { renderMoleculeRegistration } from './testing/jobs.fixtures';

const spec = deciderSpec(templateDecider);

const register = (overrides: Partial<RegisterTemplate> = {}): RegisterTemplate => ({
  type: 'RegisterTemplate',
  templateId: 't-render',
  ...renderMoleculeRegistration,
  actor: 'u-alice',
  actorIsFacilityAdmin: true,
  mappedMachines: ['cpu/standard', 'gpu/standard', 'gpu/turbo'],
  ...overrides,
});
const registered = (version = '1.0.0') => ({
  type: 'jobs.template.registered.v3' as const,
  data: { templateId: 't-render', ...renderMoleculeRegistration, version, actor: 'u-alice' },
});

describe('JobTemplate: "name@version with description, parameters as a JSON Schema, accepted input file types, allowed machine types, and the runner command as an argument vector"', () => {
  it('a facility admin registers a version', () => {
    spec.given([]).when(register()).then([registered()]);
  });

  it('"Registered by a facility admin": anyone else is refused', () => {
    spec.given([]).when(register({ actorIsFacilityAdmin: false })).thenThrows('jobs.templates-by-facility-admins', 'forbidden');
  });

  it('"A version is immutable. A new version is a new registration"', () => {
    spec.given([registered()]).when(register()).thenThrows('jobs.template-version-immutable', 'conflict');
    spec.given([registered()]).when(register({ version: '1.1.0' })).then([registered('1.1.0')]);
    spec.given([registered()]).when(register({ version: '2.0.0', name: 'render molecule' })).thenThrows('jobs.template-name-spelling', 'conflict');
  });

  it('input types are extensions, lower-cased and without the dot; * accepts any file', () => {
    const [event] = templateDecider.decide(register({ inputTypes: ['.PDB', 'xyz', 'pdb'] }), templateDecider.initialState());
    expect(event.data.inputTypes).toEqual(['pdb', 'xyz']);
    spec.given([]).when(register({ inputTypes: ['*'] })).then([{ ...registered(), data: { ...registered().data, inputTypes: ['*'] } }]);
    spec.given([]).when(register({ inputTypes: ['p d b'] })).thenThrows('jobs.template-input-types', 'invalid');
    spec.given([]).when(register({ inputTypes: [] })).thenThrows('jobs.template-input-types', 'invalid');
  });

  it("asks the runner's sandbox for the network and limits, or nothing (no network, the runner's limits)", () => {
    const sandbox = { network: true, limits: { processes: 64, outputBytes: 1048576 } };
    spec.given([]).when(register({ sandbox })).then([{ ...registered(), data: { ...registered().data, sandbox } }]);
    const refused = (value: unknown, field: string) => {
      const error = spec.given([]).when(register({ sandbox: value })).thenThrows('jobs.template-sandbox', 'invalid');
      expect((error.details as { errors: { field: string }[] }).errors[0].field).toBe(field);
    };
    refused({ network: 'yes' }, 'sandbox.network');
    refused({ limits: { processes: 0 } }, 'sandbox.limits.processes');
    refused({ limits: { threads: 8 } }, 'sandbox.limits.threads');
    refused({ privileged: true }, 'sandbox.privileged');
    refused(['network'], 'sandbox');
  });

  it('asks the site for modules (in load order) and an image, or nothing', () => {
    const environment = { modules: ['dials', 'openbabel/3.1'], image: 'dials-3.12' };
    spec.given([]).when(register({ environment })).then([{ ...registered(), data: { ...registered().data, environment } }]);
    const [event] = templateDecider.decide(register({ environment: { modules: ['dials', 'xds', 'dials'] } }), templateDecider.initialState());
    expect(event.data.environment).toEqual({ modules: ['dials', 'xds'] });
    const refused = (value: unknown, field: string) => {
      const error = spec.given([]).when(register({ environment: value })).thenThrows('jobs.template-environment', 'invalid');
      expect((error.details as { errors: { field: string }[] }).errors[0].field).toBe(field);
    };
    refused({ modules: ['dials; rm -rf ~'] }, 'environment.modules.0');
    refused({ modules: ['dials', '$(id)'] }, 'environment.modules.1');
    refused({ modules: [] }, 'environment.modules');
    refused({ modules: 'dials' }, 'environment.modules');
    refused({ image: 'dials 3.12' }, 'environment.image');
    refused({ image: 42 }, 'environment.image');
    refused({ variables: { PATH: '/opt' } }, 'environment.variables');
    refused('dials', 'environment');
  });

  it('"deterministic" is what the template says, false when it says nothing', () => {
    spec.given([]).when(register({ deterministic: true })).then([{ ...registered(), data: { ...registered().data, deterministic: true } }]);
    const [event] = templateDecider.decide(register({ deterministic: undefined }), templateDecider.initialState());
    expect(event.data.deterministic).toBe(false);
    spec.given([]).when(register({ deterministic: 'yes' as unknown as boolean })).thenThrows('jobs.template-deterministic', 'invalid');
  });

  it('"gpu/*" is refused while no runner maps it; cpu types need no announcement', () => {
    const error = spec.given([]).when(register({ mappedMachines: ['cpu/standard', 'gpu/standard'] })).thenThrows('jobs.template-machine-unmapped', 'conflict');
    expect(error.details).toEqual({ errors: [{ field: 'machineTypes.2', message: 'no runner maps gpu/turbo now' }] });
    spec.given([]).when(register({ machineTypes: ['cpu/standard', 'cpu/turbo'], mappedMachines: [] })).then([{ ...registered(), data: { ...registered().data, machineTypes: ['cpu/standard', 'cpu/turbo'] } }]);
  });

  it('machine types are cpu/gpu × standard/turbo', () => {
    const error = spec.given([]).when(register({ machineTypes: ['cpu/standard', 'tpu/turbo'] })).thenThrows('jobs.template-machine-types', 'invalid');
    expect(error.details).toEqual({ errors: [{ field: 'machineTypes.1', message: 'must be one of cpu/standard, cpu/turbo, gpu/standard, gpu/turbo' }] });
  });

  describe('"the runner command as an argument vector (never a shell string)"', () => {
    it.each([
      [[], 'must be an argument vector'],
      [['{{inputs}}'], 'must start with the program to run'],
      [['node', 'render.js', '--in={{inputs}}'], '{{inputs}} inside "--in={{inputs}}"'],
      [['node', '{{secret}}'], '{{secret}}'],
      [['node', 'render.js', '{{parameters.zoom}}'], 'names parameters its schema does not declare: zoom'],
    ])('%j is refused (%s)', (command, message) => {
      const error = spec.given([]).when(register({ command: command as string[] })).thenThrows('jobs.template-command', 'invalid');
      expect(error.message).toContain(message);
    });
  });

  describe('"parameters as a JSON Schema (validated with Ajv)"', () => {
    it.each([
      [{ type: 'array' }, 'must describe an object'],
      [{ type: 'object', properties: { 'bad-name': { type: 'string' } } }, 'parameter "bad-name" must be named'],
      [{ type: 'object', properties: { width: { type: 'integr' } } }, 'is not a valid JSON Schema'],
      [{ type: 'object', properties: { width: { type: 'integer', default: 'wide' } } }, 'its defaults do not pass it'],
      [{ type: 'object', properties: { width: { type: 'integer', colour: 'red' } } }, 'is not a valid JSON Schema'],
    ])('%j is refused (%s)', (parameters, message) => {
      const error = spec.given([]).when(register({ parameters })).thenThrows('jobs.template-parameters', 'invalid');
      expect(error.message).toContain(message);
    });
  });

  it('the name is written without "@", which separates name and version in a reference', () => {
    spec.given([]).when(register({ name: 'Render@Molecule' })).thenThrows('jobs.template-name', 'invalid');
    expect(parseTemplateRef('Render Molecule@1.1.0')).toEqual({ name: 'Render Molecule', version: '1.1.0' });
    expect(parseTemplateRef('Render Molecule')).toEqual({ name: 'Render Molecule' });
  });

  it('a time limit defaults to an hour and is bounded', () => {
    const [event] = templateDecider.decide(register({ timeLimitSeconds: undefined }), templateDecider.initialState());
    expect(event.data.timeLimitSeconds).toBe(3600);
    spec.given([]).when(register({ timeLimitSeconds: 0 })).thenThrows('jobs.template-time-limit', 'invalid');
  });

  it('the newest registration is the latest; every version stays', () => {
    const state = [registered('1.0.0'), registered('2.0.0'), registered('1.1.0')].reduce(templateDecider.evolve, templateDecider.initialState());
    expect(state.latest).toBe('1.1.0');
    expect([...state.versions.keys()]).toEqual(['1.0.0', '2.0.0', '1.1.0']);
  });
});
