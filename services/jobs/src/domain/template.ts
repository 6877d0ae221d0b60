import {
  ALL_MACHINES,
  COMMAND_PLACEHOLDERS,
  conflict,
  ENVIRONMENT_IMAGE,
  ENVIRONMENT_MODULE,
  JOB_LIMITS,
  forbidden,
  invalidField,
  machineKeyOf,
  MAX_ENVIRONMENT_MODULES,
  unknownPlaceholdersOf,
  type Decider,
  type JobEnvironment,
  type JobSandbox,
  type TemplateEvent,
  type TemplateRegisteredData,
} from '@cairn/contracts';
import { parameterNamesOf, requireParameterSchema } from './parameters';

export const TEMPLATE_NAME_MAX_LENGTH = 80;
export const TEMPLATE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,39}$/;
const INPUT_TYPE = /^[a-z0-9]{1,16}$/;
export const ANY_INPUT_TYPE = '*';
/** What `requireInputTypes` takes of one type, in the OpenAPI document: an extension (any case, a leading dot allowed) or `*`. */
export const INPUT_TYPE_AS_WRITTEN = /^(?:\*|\.?[A-Za-z0-9]{1,16})$/;
export const DEFAULT_TIME_LIMIT_SECONDS = 3600;
export const MAX_TIME_LIMIT_SECONDS = 7 * 24 * 3600;
const MACHINE_KEYS = ALL_MACHINES.map(machineKeyOf);
const PARAMETER_PLACEHOLDER = /\{\{parameters\.([A-Za-z0-9_]+)\}\}/g;

/** One registered version: what a run pins. */
export type TemplateVersion = Omit<TemplateRegisteredData, 'actor'> & { registeredBy: string };

/** Every version of one template (`jobs_template-<templateId>`), in registration order. */
export interface TemplateState {
  name?: string;
  versions: ReadonlyMap<string, TemplateVersion>;
  /** The version registered last: what a run that names the template alone gets. */
  latest?: string;
}

export interface RegisterTemplate {
  type: 'RegisterTemplate';
  templateId: string;
  name: string;
  version: string;
  description?: string;
  parameters: unknown;
  inputTypes: string[];
  machineTypes: string[];
  command: string[];
  timeLimitSeconds?: number;
  /** What the command may use in the runner's sandbox: `{ network?: boolean, limits?: { memoryBytes, processes, cpuSeconds, outputFiles, outputBytes } }`. */
  sandbox?: unknown;
  /** What the command needs of the runner's site: `{ modules?: string[], image?: string }`. */
  environment?: unknown;
  /** The command writes the same bytes for the same inputs, parameters and version; false when left out. */
  deterministic?: boolean;
  actor: string;
  actorIsFacilityAdmin: boolean;
  /** The machine types the runners announce they map onto their compute now. */
  mappedMachines: readonly string[];
}

/** `name@version` (the last `@` splits, so a name never holds one); the version is absent when only a name is given. */
export function parseTemplateRef(ref: string): { name: string; version?: string } {
  const at = ref.lastIndexOf('@');
  return at < 0 ? { name: ref.trim() } : { name: ref.slice(0, at).trim(), version: ref.slice(at + 1).trim() };
}

export const templateRefOf = (template: { name: string; version: string }) => `${template.name}@${template.version}`;

export const templateDecider: Decider<RegisterTemplate, TemplateState, TemplateEvent> = {
  initialState: () => ({ versions: new Map() }),

  decide(command, state) {
    if (!command.actorIsFacilityAdmin) throw forbidden('jobs.templates-by-facility-admins', 'job templates are registered by a facility admin');
    const name = requireTemplateName(command.name);
    const version = requireVersion(command.version);
    if (state.name !== undefined && state.name !== name) {
      throw conflict('jobs.template-name-spelling', `name: this template is called "${state.name}"; every version keeps that name`, {
        errors: [{ field: 'name', message: `must be spelled "${state.name}", as its other versions are` }],
      });
    }
    if (state.versions.has(version)) {
      throw conflict('jobs.template-version-immutable', `${name}@${version} is registered already and never changes; register a new version`, {
        errors: [{ field: 'version', message: 'is registered already; a version never changes' }],
      });
    }
    const parameters = requireParameterSchema(command.parameters);
    return [
      {
        type: 'jobs.template.registered.v3',
        data: {
          templateId: command.templateId,
          name,
          version,
          description: requireDescription(command.description),
          parameters,
          inputTypes: requireInputTypes(command.inputTypes),
          machineTypes: requireMappedGpus(requireMachineTypes(command.machineTypes), command.mappedMachines),
          command: requireCommand(command.command, parameterNamesOf(parameters)),
          timeLimitSeconds: requireTimeLimit(command.timeLimitSeconds),
          ...(command.sandbox !== undefined && { sandbox: requireSandbox(command.sandbox) }),
          ...(command.environment !== undefined && { environment: requireEnvironment(command.environment) }),
          deterministic: requireDeterministic(command.deterministic),
          actor: command.actor,
        },
      },
    ];
  },

  evolve(state, event) {
    const { actor, ...version } = event.data;
    return { name: event.data.name, versions: new Map(state.versions).set(version.version, { ...version, registeredBy: actor }), latest: version.version };
  },
};

function requireTemplateName(value: string): string {
  const name = typeof value === 'string' ? value.trim() : '';
  if (name === '') throw invalidField('jobs.template-name', 'name', 'must not be blank');
  if (name.length > TEMPLATE_NAME_MAX_LENGTH) throw invalidField('jobs.template-name', 'name', `must be at most ${TEMPLATE_NAME_MAX_LENGTH} characters`);
  if (name.includes('@')) throw invalidField('jobs.template-name', 'name', "must not contain '@' (it separates name and version)");
  return name;
}

function requireVersion(value: string): string {
  if (typeof value !== 'string' || !TEMPLATE_VERSION.test(value)) {
    throw invalidField('jobs.template-version', 'version', "must be 1 to 40 letters, digits, '.', '_', '+' or '-', starting with a letter or digit (e.g. 1.2.0)");
  }
  return value;
}

function requireDescription(value: string | undefined): string {
  const description = value ?? '';
  if (description.length > 5000) throw invalidField('jobs.template-description', 'description', 'must be at most 5000 characters');
  return description;
}

/** Lower-case extensions without the dot, repeats dropped; `*` accepts any file. */
function requireInputTypes(values: string[]): string[] {
  if (!Array.isArray(values) || values.length === 0) throw invalidField('jobs.template-input-types', 'inputTypes', `must list at least one file type (an extension, or ${ANY_INPUT_TYPE})`);
  const types = values.map((value) => (typeof value === 'string' ? value.trim().toLowerCase().replace(/^\./, '') : ''));
  const bad = types.findIndex((type) => type !== ANY_INPUT_TYPE && !INPUT_TYPE.test(type));
  if (bad >= 0) throw invalidField('jobs.template-input-types', `inputTypes.${bad}`, `must be a file extension of letters and digits (e.g. pdb), or ${ANY_INPUT_TYPE}`);
  return [...new Set(types)];
}

function requireMachineTypes(values: string[]): string[] {
  if (!Array.isArray(values) || values.length === 0) throw invalidField('jobs.template-machine-types', 'machineTypes', `must list at least one of ${MACHINE_KEYS.join(', ')}`);
  const bad = values.findIndex((value) => !MACHINE_KEYS.includes(value));
  if (bad >= 0) throw invalidField('jobs.template-machine-types', `machineTypes.${bad}`, `must be one of ${MACHINE_KEYS.join(', ')}`);
  return MACHINE_KEYS.filter((key) => values.includes(key));
}

/** A GPU type no runner maps would queue its jobs for ever: refused until a runner announces it. */
function requireMappedGpus(machineTypes: string[], mapped: readonly string[]): string[] {
  const unmapped = machineTypes.findIndex((key) => key.startsWith('gpu/') && !mapped.includes(key));
  if (unmapped >= 0) {
    const key = machineTypes[unmapped];
    throw conflict('jobs.template-machine-unmapped', `machineTypes: no runner maps ${key} onto its compute; start one that does (its site file's machines), or leave ${key} out`, {
      errors: [{ field: `machineTypes.${unmapped}`, message: `no runner maps ${key} now` }],
    });
  }
  return machineTypes;
}

/** An argument vector: its program first, placeholders only those the protocol knows and parameters the schema declares. */
function requireCommand(command: string[], parameterNames: string[]): string[] {
  const refuse = (message: string) => invalidField('jobs.template-command', 'command', message);
  if (!Array.isArray(command) || command.length === 0 || command.some((element) => typeof element !== 'string')) {
    throw refuse('must be an argument vector: a non-empty array of strings, the program first (never a shell string)');
  }
  if (command[0].trim() === '' || command[0].includes('{{')) throw refuse('must start with the program to run, without placeholders');
  const unknown = unknownPlaceholdersOf(command);
  if (unknown.length > 0) throw refuse(`holds placeholders the runner does not know: ${unknown.join(', ')} (known: ${Object.values(COMMAND_PLACEHOLDERS).join(', ')}, {{parameters.<name>}})`);
  const undeclared = command.flatMap((element) => [...element.matchAll(PARAMETER_PLACEHOLDER)].map(([, name]) => name)).filter((name) => !parameterNames.includes(name));
  if (undeclared.length > 0) throw refuse(`names parameters its schema does not declare: ${[...new Set(undeclared)].join(', ')}`);
  return command;
}

function requireTimeLimit(value: number | undefined): number {
  const limit = value ?? DEFAULT_TIME_LIMIT_SECONDS;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_TIME_LIMIT_SECONDS) {
    throw invalidField('jobs.template-time-limit', 'timeLimitSeconds', `must be a whole number of seconds from 1 to ${MAX_TIME_LIMIT_SECONDS}`);
  }
  return limit;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether the command gets the network, and limits that are positive whole numbers; nothing else. */
function requireSandbox(value: unknown): JobSandbox {
  const refuse = (field: string, message: string) => invalidField('jobs.template-sandbox', field, message);
  if (!isPlainObject(value)) throw refuse('sandbox', 'must be an object: { network?: boolean, limits?: { ... } }');
  const unknown = Object.keys(value).find((key) => key !== 'network' && key !== 'limits');
  if (unknown !== undefined) throw refuse(`sandbox.${unknown}`, 'is not a sandbox setting (network, limits)');
  const sandbox: JobSandbox = {};
  if (value.network !== undefined) {
    if (typeof value.network !== 'boolean') throw refuse('sandbox.network', 'must be true or false');
    sandbox.network = value.network;
  }
  if (value.limits !== undefined) {
    const { limits } = value;
    if (!isPlainObject(limits)) throw refuse('sandbox.limits', `must be an object of ${JOB_LIMITS.join(', ')}`);
    sandbox.limits = {};
    for (const [name, limit] of Object.entries(limits)) {
      if (!(JOB_LIMITS as readonly string[]).includes(name)) throw refuse(`sandbox.limits.${name}`, `is not a limit (${JOB_LIMITS.join(', ')})`);
      if (!Number.isSafeInteger(limit) || (limit as number) < 1) throw refuse(`sandbox.limits.${name}`, 'must be a whole number from 1');
      sandbox.limits[name as (typeof JOB_LIMITS)[number]] = limit as number;
    }
  }
  return sandbox;
}

/** Modules in load order (repeats dropped) and an image, each a name the prologue and wrapper can take as a word; nothing else. */
function requireEnvironment(value: unknown): JobEnvironment {
  const refuse = (field: string, message: string) => invalidField('jobs.template-environment', field, message);
  if (!isPlainObject(value)) throw refuse('environment', 'must be an object: { modules?: string[], image?: string }');
  const unknown = Object.keys(value).find((key) => key !== 'modules' && key !== 'image');
  if (unknown !== undefined) throw refuse(`environment.${unknown}`, 'is not something a template asks of the site (modules, image)');
  const environment: JobEnvironment = {};
  if (value.modules !== undefined) {
    const { modules } = value;
    if (!Array.isArray(modules) || modules.length === 0 || modules.length > MAX_ENVIRONMENT_MODULES) {
      throw refuse('environment.modules', `must list 1 to ${MAX_ENVIRONMENT_MODULES} module names, in load order`);
    }
    const bad = modules.findIndex((module) => typeof module !== 'string' || !ENVIRONMENT_MODULE.test(module));
    if (bad >= 0) throw refuse(`environment.modules.${bad}`, "must be a module name of letters, digits, '.', '_', '+', '/' or '-' (e.g. dials or openbabel/3.1)");
    environment.modules = [...new Set(modules as string[])];
  }
  if (value.image !== undefined) {
    if (typeof value.image !== 'string' || !ENVIRONMENT_IMAGE.test(value.image)) {
      throw refuse('environment.image', "must be an image name of letters, digits, '.', '_', '+', '/', ':', '@' or '-' (e.g. dials-3.12)");
    }
    environment.image = value.image;
  }
  return environment;
}

function requireDeterministic(value: boolean | undefined): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw invalidField('jobs.template-deterministic', 'deterministic', 'must be true or false');
  return value ?? false;
}
