import type { JobEnvironment, JobSandbox, TemplateRegisteredData } from '@cairn/contracts';
import { defineProjection } from '@cairn/read-models';

export const JOB_TEMPLATES = 'job_templates';

/** One registered template version, as the template list shows it. */
export interface JobTemplateDocument {
  _id: string;
  templateId: string;
  name: string;
  nameLower: string;
  version: string;
  description: string;
  /**
   * The parameter JSON Schema as JSON text: schemas hold `$`-keys (`$defs`, `$ref`) that a read-model
   * document may not.
   */
  parametersJson: string;
  inputTypes: string[];
  machineTypes: string[];
  command: string[];
  timeLimitSeconds: number;
  /** Absent for a template that asks nothing of the runner's sandbox. */
  sandbox?: JobSandbox;
  /** Absent for a template that needs nothing of the runner's site. */
  environment?: JobEnvironment;
  deterministic: boolean;
  registeredBy: string;
  registeredAt: string;
}

/** The newest registration first; `name` filters by a case-insensitive prefix, bounded in the index after the sort. */
export const JOB_TEMPLATES_INDEX = { key: { registeredAt: -1, _id: -1, nameLower: 1 } };

/** A version as the list stores it, from its registration: what the projection writes and the registration answers. */
export function templateDocumentOf(data: TemplateRegisteredData, registeredAt: string): JobTemplateDocument {
  const { parameters, actor, ...fields } = data;
  return {
    _id: `${data.templateId}@${data.version}`,
    ...fields,
    nameLower: data.name.toLowerCase(),
    parametersJson: JSON.stringify(parameters),
    registeredBy: actor,
    registeredAt,
  };
}

export const jobTemplatesProjection = defineProjection({
  name: JOB_TEMPLATES,
  // 2: every version carries `deterministic` (and `environment` where it needs one).
  version: 2,
  indexes: [JOB_TEMPLATES_INDEX],
  on: {
    'jobs.template.registered.v3': ({ data, position, time }) => {
      const { _id, ...document } = templateDocumentOf(data, time);
      return [{ kind: 'replace', id: _id, position, document }];
    },
  },
});
