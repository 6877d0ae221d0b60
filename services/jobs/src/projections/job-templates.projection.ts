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
  registeredBy: string;
  registeredAt: string;
}

/** The newest registration first; `name` filters by a case-insensitive prefix, bounded in the index after the sort. */
export const JOB_TEMPLATES_INDEX = { key: { registeredAt: -1, _id: -1, nameLower: 1 } };

export const jobTemplatesProjection = defineProjection({
  name: JOB_TEMPLATES,
  version: 1,
  indexes: [JOB_TEMPLATES_INDEX],
  on: {
    'jobs.template.registered.v1': ({ data, position, time }) => {
      const { parameters, actor, ...fields } = data;
      const document: Omit<JobTemplateDocument, '_id'> = {
        ...fields,
        nameLower: data.name.toLowerCase(),
        parametersJson: JSON.stringify(parameters),
        registeredBy: actor,
        registeredAt: time,
      };
      return [{ kind: 'replace', id: `${data.templateId}@${data.version}`, position, document }];
    },
  },
});
