import { useEffect, useState } from 'preact/hooks';
import { answer, type JobsSchemas } from '../api/client';
import { navigate, useLocation } from '../router';
import { useConsole } from '../ui/context';
import { Button, Field } from '../ui/forms';
import { acceptsType, InputPicker, typesWords, type ChosenInput } from '../ui/input-picker';
import { Card, Empty, Loading } from '../ui/layout';
import { Markdown } from '../ui/markdown';
import { ParameterField, parameterIssues, parametersOf, valueWords, type ParameterSchema } from '../ui/parameter-field';
import { fieldProblem, ProblemMessage } from '../ui/problem';
import { StepHeading, StepNav } from '../ui/steps';
import { useAction, useLoad } from '../ui/use-load';
import { jobPath, machineOf, machineWords } from './jobs';
import type { ProjectPage } from './project-shell';

type Template = JobsSchemas['TemplateDto'];

const STEPS = ['Template', 'Inputs', 'Parameters', 'Machine', 'Review and start'] as const;

/** The templates by name, each name's versions newest first (the list answers the newest registration first). */
function byName(templates: Template[]): Map<string, Template[]> {
  const names = new Map<string, Template[]>();
  for (const template of templates) names.set(template.name, [...(names.get(template.name) ?? []), template]);
  return names;
}

/**
 * Runs a job in the project: a template and its version, inputs from the project's files (checked
 * against the template's types), the parameters its JSON Schema describes, a machine it allows; then
 * the job's page. From a file of the file browser (`?input=<fileId>&path=<path>`), that file comes chosen.
 */
export function RunJobPage({ project }: { project: ProjectPage }) {
  const { api } = useConsole();
  const { query } = useLocation();
  const templates = useLoad(() => answer(api.jobs.GET('/api/job-templates', { params: { query: { limit: 200 } } })), []);
  const fromFile = query.get('input') && query.get('path') ? [{ fileId: query.get('input')!, path: query.get('path')! }] : [];
  const [step, setStep] = useState(0);
  const [name, setName] = useState<string | undefined>();
  const [version, setVersion] = useState<string | undefined>();
  const [inputs, setInputs] = useState<ChosenInput[]>(fromFile);
  const [parameters, setParameters] = useState<Record<string, unknown>>({});
  const [machine, setMachine] = useState<string | undefined>();

  const names = byName(templates.data?.items ?? []);
  const chosenName = name ?? names.keys().next().value;
  const versions = chosenName ? (names.get(chosenName) ?? []) : [];
  const template = versions.find((candidate) => candidate.version === version) ?? versions[0];
  const schemaParameters = template ? parametersOf(template.parameters) : [];
  const valueOf = (parameter: string, fallback: unknown) => (parameter in parameters ? parameters[parameter] : fallback);
  const chosenMachine = template && (machine && template.machineTypes.includes(machine) ? machine : template.machineTypes[0]);
  const inputIssue = !template ? 'Choose a template first.' : inputs.length === 0 ? 'Choose at least one input.' : inputs.some((input) => !acceptsType(template.inputTypes, input.path)) ? `This template takes ${typesWords(template.inputTypes)}: remove the others.` : undefined;
  const required = new Set(template ? ((template.parameters as ParameterSchema).required ?? []) : []);
  const parameterProblems = template ? parameterIssues(template.parameters as ParameterSchema, Object.fromEntries(schemaParameters.map(([parameter, schema]) => [parameter, valueOf(parameter, schema.default)]))) : [];

  const start = useAction(async () => {
    // Only what the person set is sent: the template's defaults fill the rest.
    const job = await answer(
      api.jobs.POST('/api/projects/{id}/jobs', {
        params: { path: { id: project.id } },
        body: { template: template!.ref, inputs: inputs.map((input) => input.fileId), parameters, machine: machineOf(chosenMachine!) },
      }),
    );
    navigate(jobPath(job.id));
  });
  const blocked = [!template, inputIssue !== undefined, parameterProblems.length > 0, !chosenMachine][step] === true;
  // A refusal naming parameters.<name> goes back to the parameters, where the error sits at its field.
  useEffect(() => {
    if (start.problem?.errors?.some((error) => error.field.startsWith('parameters.'))) setStep(2);
  }, [start.problem]);

  if (templates.problem && !templates.data) return <ProblemMessage problem={templates.problem} />;
  if (!templates.data) return <Loading what="the job templates" />;
  if (names.size === 0) return <Empty>No job template is registered yet: a facility admin registers them.</Empty>;
  return (
    <>
      <StepNav label="Run steps" steps={STEPS} step={step} onStep={setStep} />
      <Card>
        <StepHeading steps={STEPS} step={step} />
        {step === 0 && template && (
          <>
            <Field label="Template">
              {(control) => (
                <select
                  {...control}
                  value={chosenName}
                  onChange={(event) => {
                    setName(event.currentTarget.value);
                    setVersion(undefined);
                    setParameters({});
                  }}
                >
                  {[...names.keys()].map((option) => (
                    <option key={option} value={option}>
                      {option}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Version" hint="Every version stays runnable; the newest comes first.">
              {(control) => (
                <select {...control} value={template.version} onChange={(event) => setVersion(event.currentTarget.value)}>
                  {versions.map((candidate, index) => (
                    <option key={candidate.version} value={candidate.version}>
                      {candidate.version}
                      {index === 0 ? ' (newest)' : ''}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <div class="template-description">
              <Markdown text={template.description || 'No description.'} />
              <p class="muted small">
                Takes {typesWords(template.inputTypes)}; runs on {template.machineTypes.map((key) => machineWords(machineOf(key))).join(' or ')}.
              </p>
            </div>
          </>
        )}
        {step === 1 && template && <InputPicker projectId={project.id} accepted={template.inputTypes} chosen={inputs} onChange={setInputs} startFolder={fromFile[0]?.path.split('/').slice(0, -1).join('/') || 'raw'} />}
        {step === 2 && template && (
          <div class="parameters">
            {schemaParameters.length === 0 && <p class="muted">This template has no parameters.</p>}
            {schemaParameters.map(([parameter, schema]) => (
              <ParameterField
                key={`${template.ref}-${parameter}`}
                name={parameter}
                schema={schema}
                value={valueOf(parameter, schema.default)}
                onChange={(value) => setParameters({ ...parameters, [parameter]: value })}
                refusalAt={(path) => fieldProblem(start.problem, `parameters.${path}`)}
                required={required.has(parameter)}
              />
            ))}
          </div>
        )}
        {step === 3 && template && (
          <fieldset class="field">
            <legend>Machine type and performance</legend>
            {template.machineTypes.map((key) => (
              <label key={key} class="choice">
                <input type="radio" name="machine" value={key} checked={chosenMachine === key} onChange={() => setMachine(key)} />
                <span>
                  <strong>{machineWords(machineOf(key))}</strong>
                </span>
              </label>
            ))}
          </fieldset>
        )}
        {step === 4 && template && (
          <>
            <p>
              A new job of <strong>{template.ref}</strong>, triggered by you, writing to its own output folder <code>processed/&lt;job&gt;/</code>.
            </p>
            <ul class="changes">
              <li>Inputs: {inputs.map((input) => input.path).join(', ') || '—'}</li>
              {schemaParameters.map(([parameter, schema]) => (
                <li key={parameter}>
                  Parameter {parameter}: {valueWords(valueOf(parameter, schema.default))}
                </li>
              ))}
              <li>Machine: {chosenMachine && machineWords(machineOf(chosenMachine))}</li>
            </ul>
            {inputIssue && <p class="losses">{inputIssue}</p>}
          </>
        )}
        {step === 1 && inputIssue && <p class="muted">{inputIssue}</p>}
        <ProblemMessage problem={start.problem} />
        <div class="form-actions">
          {step > 0 && <Button onClick={() => setStep(step - 1)}>Back</Button>}
          {step < STEPS.length - 1 ? (
            <Button variant="primary" onClick={() => setStep(step + 1)} disabled={blocked}>
              Next: {STEPS[step + 1]}
            </Button>
          ) : (
            <Button variant="primary" busy={start.busy} disabled={inputIssue !== undefined || parameterProblems.length > 0} onClick={() => void start.run()}>
              Start the job
            </Button>
          )}
        </div>
      </Card>
    </>
  );
}
