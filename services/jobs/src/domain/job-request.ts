import { invalid, invalidField, machineKeyOf, type JobInput, type Machine } from '@cairn/contracts';
import { ANY_INPUT_TYPE, type TemplateVersion } from './template';

export const MAX_INPUTS = 100;

/** A file of a project's file space, as the jobs service learned it from the projects service's events. */
export interface ProjectFile {
  fileId: string;
  projectId: string;
  path: string;
  present: boolean;
}

/** How one named input fares against a template; `problem` is absent when it can be used. */
export interface InputCheck {
  fileId: string;
  path?: string;
  problem?: 'not-in-project' | 'deleted' | 'type-not-accepted';
}

const PROBLEM_MESSAGES: Record<NonNullable<InputCheck['problem']>, (template: TemplateVersion) => string> = {
  'not-in-project': () => 'is not a file of this project',
  deleted: () => 'was deleted from the project',
  'type-not-accepted': (template) => `is not of a type ${template.name}@${template.version} accepts (${template.inputTypes.join(', ')})`,
};
const PROBLEM_RULES: Record<NonNullable<InputCheck['problem']>, string> = {
  'not-in-project': 'jobs.input-not-in-project',
  deleted: 'jobs.input-deleted',
  'type-not-accepted': 'jobs.input-type-not-accepted',
};

/** The file's type: its extension, lower-cased (`''` for none). */
export function fileTypeOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** "Inputs (verify file types are correct)": each input is a present file of the project, of a type the template accepts. */
export function checkInputs(template: TemplateVersion, projectId: string, fileIds: readonly string[], files: ReadonlyMap<string, ProjectFile>): InputCheck[] {
  return fileIds.map((fileId) => {
    const file = files.get(fileId);
    // Another project's file is answered like a missing one: whoever runs here may not know it exists.
    if (!file || file.projectId !== projectId) return { fileId, problem: 'not-in-project' };
    if (!file.present) return { fileId, path: file.path, problem: 'deleted' };
    const accepted = template.inputTypes.includes(ANY_INPUT_TYPE) || template.inputTypes.includes(fileTypeOf(file.path));
    return accepted ? { fileId, path: file.path } : { fileId, path: file.path, problem: 'type-not-accepted' };
  });
}

/** The inputs in order, each a usable file; refused with one error per input that is not. */
export function requireInputs(template: TemplateVersion, projectId: string, fileIds: readonly string[], files: ReadonlyMap<string, ProjectFile>): JobInput[] {
  if (!Array.isArray(fileIds) || fileIds.length === 0) throw invalidField('jobs.inputs-required', 'inputs', 'must name at least one file of the project');
  if (fileIds.length > MAX_INPUTS) throw invalidField('jobs.inputs-too-many', 'inputs', `must name at most ${MAX_INPUTS} files`);
  const repeated = fileIds.findIndex((fileId, index) => fileIds.indexOf(fileId) !== index);
  if (repeated >= 0) throw invalidField('jobs.inputs-repeated', `inputs.${repeated}`, `names the same file as inputs.${fileIds.indexOf(fileIds[repeated])}`);
  const checks = checkInputs(template, projectId, fileIds, files);
  const refused = checks.flatMap((check, index) => (check.problem ? [{ index, problem: check.problem }] : []));
  if (refused.length > 0) {
    const errors = refused.map(({ index, problem }) => ({ field: `inputs.${index}`, message: PROBLEM_MESSAGES[problem](template) }));
    throw invalid(PROBLEM_RULES[refused[0].problem], errors.map(({ field, message }) => `${field}: ${message}`).join('; '), { errors });
  }
  return checks.map(({ fileId, path }) => ({ fileId, path: path! }));
}

export function requireAllowedMachine(template: TemplateVersion, machine: Machine): Machine {
  if (!template.machineTypes.includes(machineKeyOf(machine))) {
    throw invalidField('jobs.machine-not-allowed', 'machine', `${machineKeyOf(machine)} is not a machine ${template.name}@${template.version} runs on (${template.machineTypes.join(', ')})`);
  }
  return { type: machine.type, performance: machine.performance };
}
