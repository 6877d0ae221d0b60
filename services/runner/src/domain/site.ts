import { isAbsolute } from 'node:path';
import { ENVIRONMENT_IMAGE, ENVIRONMENT_MODULE, type JobEnvironment } from '@cairn/contracts';
import { shellQuoted } from './shell';
import { RunnerConfigurationError } from './queues';
import { machineOptionsOf, type MachineOptions } from './slurm-settings';

/**
 * The site a runner runs on, as its site file (`CAIRN_RUNNER_SITE`, JSON) describes it: what every
 * command gets (bin folders, environment variables, a prologue), which modules and images it can give a
 * template that asks for them, and the wrapper that runs a command in an image. `deploy/runner/README.md`
 * documents the file; `deploy/runner/site.example.json` is a facility's.
 */
export interface Site {
  /** Put on every command's PATH, after the runner's own programs. */
  binDirs: string[];
  /** Added to every command's environment. */
  env: Record<string, string>;
  /** Folders the local backend's sandbox shows read-only besides the system ones (a module tree, `/cvmfs`). */
  readOnly: string[];
  /** Shell lines run before every command, in its shell (`source /etc/profile.d/lmod.sh`); one that fails stops the job as `system`. */
  prologue: string[];
  /** The modules a template may ask for (`*`: whatever the module system has), and the shell command that loads them (`module load`). */
  modules: { available: readonly string[] | '*'; load: string };
  /** Images by the name templates give them: a path (`/opt/images/dials-3.12.sif`) or a reference the wrapper takes. */
  images: Record<string, string>;
  /** The argument vector that runs a command in an image: `["apptainer", "exec", "{image}"]`; the command's own follows it. */
  wrapper?: string[];
  /** The slurm backend's Slurm options per machine type (`machineOptionsOf`); the types it names are those the runner maps. */
  machines?: Record<string, MachineOptions>;
}

export const IMAGE_PLACEHOLDER = '{image}';

/** A runner without a site file: the machine as it is, no modules, no images. */
export const BARE_SITE: Site = { binDirs: [], env: {}, readOnly: [], prologue: [], modules: { available: [], load: 'module load' }, images: {} };

/** Set by the runner for every command, never by the site. */
const RUNNER_VARIABLES = ['PATH', 'HOME', 'TMPDIR'];
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What the runner cannot give a job whose template needs `environment`: the reason, naming it, or undefined when it can. */
export function unprovidedBy(site: Site, environment: JobEnvironment | undefined): string | undefined {
  const { available } = site.modules;
  const missing = available === '*' ? [] : (environment?.modules ?? []).filter((module) => !available.includes(module));
  if (available !== '*' && missing.length > 0) {
    const has = available.length > 0 ? `it has ${available.join(', ')}` : 'its site file names none';
    return `this runner cannot provide the module${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (${has})`;
  }
  const image = environment?.image;
  if (image === undefined) return undefined;
  if (site.images[image] === undefined) {
    const names = Object.keys(site.images);
    return `this runner cannot provide the image ${image} (${names.length > 0 ? `it has ${names.join(', ')}` : 'its site file names none'})`;
  }
  if (!site.wrapper) return `this runner cannot run the image ${image}: its site file has no wrapper to run images with`;
  return undefined;
}

/**
 * The command as the site runs it: in the template's image through the site's wrapper when it names
 * one (its `{image}` replaced by the image's path), and the shell lines to run before it, the site's
 * prologue and then the loading of the template's modules. Call after `unprovidedBy` found nothing.
 */
export function siteCommandOf(site: Site, environment: JobEnvironment | undefined, argv: readonly string[]): { argv: string[]; prologue: string[] } {
  const image = environment?.image;
  const wrapper = image === undefined || !site.wrapper ? [] : site.wrapper.map((word) => word.split(IMAGE_PLACEHOLDER).join(site.images[image]));
  const modules = environment?.modules ?? [];
  return {
    argv: [...wrapper, ...argv],
    prologue: [...site.prologue, ...(modules.length > 0 ? [`${site.modules.load} ${modules.map(shellQuoted).join(' ')}`] : [])],
  };
}

/**
 * Shell lines that run `prologue` and stop at the first line that fails, calling `fail` (a shell
 * function the script defines) with a reason naming the line.
 */
export function guardedPrologue(prologue: readonly string[], fail: string): string[] {
  return prologue.map((line) => `${line} || ${fail} ${shellQuoted(`the site's prologue failed at: ${line}`)}`);
}

/**
 * For a backend that starts argument vectors (local): bash runs the guarded prologue, checks that the
 * program is there after it, and becomes the command. The command's words are bash's own arguments,
 * never part of its script, so nothing in them is interpreted.
 */
export function prologueLaunchOf(prologue: readonly string[], argv: readonly string[]): string[] {
  const script = [
    "cairn_not_started() { printf 'cairn: %s\\n' \"$1\" >&2; exit 127; }",
    ...guardedPrologue(prologue, 'cairn_not_started'),
    `command -v -- "$1" >/dev/null 2>&1 || cairn_not_started "\\"$1\\" is not an executable on the PATH the site's prologue left"`,
    'exec "$@"',
  ].join('\n');
  return ['bash', '-c', script, 'cairn-job', ...argv];
}

/**
 * The site from the parsed site file. Every field is optional; anything the runner would misread is
 * refused, naming the field.
 */
export function siteOf(file: unknown, source: string): Site {
  const refuse = (field: string, message: string) => new RunnerConfigurationError(`${source}: ${field} ${message}`);
  if (!isObject(file)) throw refuse('the file', 'must hold a JSON object');
  const known = ['binDirs', 'env', 'readOnly', 'prologue', 'modules', 'images', 'wrapper', 'machines'];
  const unknown = Object.keys(file).find((key) => !known.includes(key));
  if (unknown !== undefined) throw refuse(unknown, `is not a site setting (${known.join(', ')})`);
  const strings = (field: string, value: unknown, check: (item: string) => boolean = () => true, expected = 'strings'): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || !check(item))) throw refuse(field, `must be a list of ${expected}`);
    return value as string[];
  };
  const absolute = (path: string) => isAbsolute(path);
  const env = file.env ?? {};
  if (!isObject(env) || Object.values(env).some((value) => typeof value !== 'string')) throw refuse('env', 'must map variable names to strings');
  for (const name of Object.keys(env)) {
    if (!VARIABLE_NAME.test(name)) throw refuse(`env.${name}`, 'is not a variable name');
    if (RUNNER_VARIABLES.includes(name)) throw refuse(`env.${name}`, `is the runner's to set (${RUNNER_VARIABLES.join(', ')}); put programs' folders in binDirs`);
  }
  const modules = file.modules ?? {};
  if (!isObject(modules)) throw refuse('modules', 'must be an object: { "available": [...] or "*", "load": "module load" }');
  const available = modules.available === '*' ? '*' : strings('modules.available', modules.available, (name) => ENVIRONMENT_MODULE.test(name), 'module names, or "*"');
  const load = modules.load ?? BARE_SITE.modules.load;
  if (typeof load !== 'string' || load.trim() === '') throw refuse('modules.load', 'must be the shell command that loads modules (module load)');
  const images = file.images ?? {};
  if (!isObject(images) || Object.values(images).some((value) => typeof value !== 'string' || value === '')) throw refuse('images', 'must map image names to paths or references');
  const badImage = Object.keys(images).find((name) => !ENVIRONMENT_IMAGE.test(name));
  if (badImage !== undefined) throw refuse(`images.${badImage}`, 'is not an image name a template can give');
  let wrapper: string[] | undefined;
  if (file.wrapper !== undefined) {
    wrapper = strings('wrapper', file.wrapper);
    if (wrapper.length === 0 || !wrapper.some((word) => word.includes(IMAGE_PLACEHOLDER))) throw refuse('wrapper', `must be an argument vector holding ${IMAGE_PLACEHOLDER} (e.g. ["apptainer", "exec", "${IMAGE_PLACEHOLDER}"])`);
  }
  return {
    binDirs: strings('binDirs', file.binDirs, absolute, 'absolute paths'),
    env: env as Record<string, string>,
    readOnly: strings('readOnly', file.readOnly, absolute, 'absolute paths'),
    prologue: strings('prologue', file.prologue),
    modules: { available, load: load.trim() },
    images: images as Record<string, string>,
    ...(wrapper && { wrapper }),
    ...(file.machines !== undefined && { machines: machineOptionsOf(file.machines, source) }),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
