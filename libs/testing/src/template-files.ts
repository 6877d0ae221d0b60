import type { TemplateRegisteredData } from '@cairn/contracts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { parse } from 'yaml';

/**
 * What `POST /api/job-templates` takes (docs/api.md, "Jobs"): the registered event's data without what the jobs
 * service adds (the template's id, who registered it), the time limit and `deterministic` optional. A file may hold fields this
 * type does not name yet: they go to the API as they are, and the API decides.
 */
export type JobTemplateRegistration = Omit<TemplateRegisteredData, 'templateId' | 'actor' | 'timeLimitSeconds' | 'deterministic'> & { timeLimitSeconds?: number; deterministic?: boolean };

/** One template version as a file (deploy/templates/README.md): the registration body, as YAML or JSON. */
export interface TemplateFile {
  /** The file's name inside its folder, e.g. `render-molecule.yaml`. */
  file: string;
  body: JobTemplateRegistration & Record<string, unknown>;
}

export const TEMPLATE_FILE_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** A template file that is not a registration body; the message names the file. */
export class TemplateFileError extends Error {}

/**
 * Every `*.yaml`, `*.yml` and `*.json` file of `dir` (not its subfolders, which hold the programs), in name
 * order. YAML is a superset of JSON, so one parser reads both. Only what a registration cannot do without is
 * checked here (an object with a name and a version, to say which version a file is): the API checks the rest.
 */
export function readTemplateFiles(dir: string): TemplateFile[] {
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && TEMPLATE_FILE_EXTENSIONS.includes(extname(entry.name).toLowerCase()))
    .map((entry) => entry.name)
    .sort();
  return files.map((file) => ({ file, body: registrationIn(file, readFileSync(join(dir, file), 'utf8')) }));
}

function registrationIn(file: string, text: string): TemplateFile['body'] {
  let body: unknown;
  try {
    body = parse(text);
  } catch (error) {
    throw new TemplateFileError(`${file}: not YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TemplateFileError(`${file}: must hold one template version, an object with name, version, parameters, inputTypes, machineTypes and command`);
  const { name, version } = body as Record<string, unknown>;
  if (typeof name !== 'string' || name.trim() === '') throw new TemplateFileError(`${file}: name: must be the template's name`);
  if (typeof version !== 'string' || version.trim() === '') throw new TemplateFileError(`${file}: version: must be a string such as "1.0.0" (quote a version YAML would read as a number)`);
  return body as TemplateFile['body'];
}

/** The demo templates' folder, `deploy/templates`, whether this runs compiled (under dist/) or from source. */
export function demoTemplatesDir(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'deploy', 'templates');
    if (existsSync(join(dir, 'tsconfig.base.json')) && existsSync(candidate)) return candidate;
  }
  throw new Error(`no deploy/templates in a repository above ${__dirname}`);
}

/** What `npm start` registers, by template name: the files in deploy/templates. */
export function demoTemplate(name: string): JobTemplateRegistration {
  const found = readTemplateFiles(demoTemplatesDir()).find((template) => template.body.name === name);
  if (!found) throw new Error(`deploy/templates holds no template called ${name}`);
  return found.body;
}

export const demoTemplates = (): JobTemplateRegistration[] => readTemplateFiles(demoTemplatesDir()).map((template) => template.body);
