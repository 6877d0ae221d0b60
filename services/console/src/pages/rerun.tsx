import { useState } from 'preact/hooks';
import { answer, type JobsSchemas } from '../api/client';
import { Link, navigate } from '../router';
import { useConsole } from '../ui/context';
import { Button, Field } from '../ui/forms';
import { Card, Loading, PageHeader } from '../ui/layout';
import { fieldProblem, ProblemMessage } from '../ui/problem';
import { StepHeading, StepNav } from '../ui/steps';
import { useAction, useLoad } from '../ui/use-load';
import { acceptsType, InputPicker, typesWords, type ChosenInput } from '../ui/input-picker';
import { ParameterField, parameterIssues, parametersOf, valueWords, type ParameterSchema } from '../ui/parameter-field';
import { jobPath, keyOf, machineOf, machineWords } from './jobs';

type RerunForm = JobsSchemas['RerunFormDto'];

const STEPS = ['Version', 'Inputs', 'Parameters', 'Machine', 'Review and start'] as const;
type Template = JobsSchemas['TemplateDto'];


/**
 * "Rerunning is the recommended way to collaborate. Click Rerun; review the step-by-step flow: Inputs
 * (verify file types are correct), Parameters (tune for improved results), Machine type/performance
 * (CPU vs GPU, turbo vs standard); start the job." The rerun is a new job in a new output folder, with
 * the person rerunning as its triggerer.
 */
export function RerunPage({ jobId }: { jobId: string }) {
  const { api } = useConsole();
  const form = useLoad(() => answer(api.jobs.GET('/api/jobs/{id}/rerun-form', { params: { path: { id: jobId } } })), [jobId]);
  const [step, setStep] = useState(0);
  const [inputs, setInputs] = useState<ChosenInput[] | undefined>();
  const [version, setVersion] = useState<string | undefined>();
  const job = useLoad(() => answer(api.jobs.GET('/api/jobs/{id}', { params: { path: { id: jobId } } })), [jobId]);
  const templateName = form.data?.template.name;
  const versions = useLoad(async () => (templateName === undefined ? [] : (await answer(api.jobs.GET('/api/job-templates', { params: { query: { name: templateName, limit: 100 } } }))).items.filter((template) => template.name === templateName)), [templateName]);
  const pinned = versions.data?.find((template) => template.version === form.data?.template.version);
  const chosen = versions.data?.find((template) => template.version === (version ?? form.data?.template.version));
  const [parameters, setParameters] = useState<Record<string, unknown>>({});
  const [machine, setMachine] = useState<string | undefined>();
  const start = useAction(async (data: RerunForm) => {
    const changedParameters = Object.fromEntries(Object.entries(parameters).filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(data.parameters.find((parameter) => parameter.name === name)?.value)));
    // Only what the person changed is sent: the rest stays as the original had it.
    const body = {
      ...(inputs !== undefined && { inputs: inputs.map((input) => input.fileId) }),
      ...(version !== undefined && version !== data.template.version && { template: version }),
      ...(Object.keys(changedParameters).length > 0 && { parameters: changedParameters }),
      ...(machine !== undefined && machine !== keyOf(data.machine) && { machine: machineOf(machine) }),
    };
    const rerun = await answer(api.jobs.POST('/api/jobs/{id}/rerun', { params: { path: { id: jobId } }, body }));
    navigate(jobPath(rerun.id));
  });
  const data = form.data;
  const accepted = chosen?.inputTypes ?? data?.acceptedInputTypes ?? [];
  const originalInputs = (data?.inputs ?? []).filter((input) => input.present).map((input) => ({ fileId: input.fileId, path: input.pathNow ?? input.path }));
  const shownInputs = inputs ?? originalInputs.filter((input) => acceptsType(accepted, input.path));
  const inputsUsable = shownInputs.length > 0 && shownInputs.every((input) => acceptsType(accepted, input.path));
  const at = STEPS[step];
  const parametersUsable = (data?.parameters ?? []).every((parameter) => parameterIssues(parameter.schema as ParameterSchema, parameter.name in parameters ? parameters[parameter.name] : parameter.value, [parameter.name]).length === 0);
  return (
    <>
      <PageHeader title="Rerun" eyebrow={<Link href={jobPath(jobId)}>Job {jobId.slice(0, 8)}</Link>} subtitle={data && `${data.template.ref}: same workflow and starting point, your own output folder`} />
      <ProblemMessage problem={form.problem} />
      {form.loading && !data && <Loading what="the rerun form" />}
      {data && (
        <>
          <StepNav label="Rerun steps" steps={STEPS} step={step} onStep={setStep} />
          <Card>
            <StepHeading steps={STEPS} step={step} />
            {at === 'Version' && (
              <>
                <Field label="Template version" hint={`This job ran ${data.template.ref}; every version stays runnable.`}>
                  {(control) => (
                    <select {...control} value={version ?? data.template.version} onChange={(event) => setVersion(event.currentTarget.value)}>
                      {[...data.template.versions].reverse().map((candidate) => (
                        <option key={candidate} value={candidate}>
                          {candidate}
                          {candidate === data.template.version ? ' (this job’s)' : ''}
                          {candidate === String(data.template.latestVersion) ? ' (newest)' : ''}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <ProblemMessage problem={versions.problem} />
                {pinned && chosen && <VersionChanges from={pinned} to={chosen} />}
              </>
            )}
            {at === 'Inputs' && (
              <>
                {data.inputs
                  .filter((input) => !input.present)
                  .map((input) => (
                    <p key={input.fileId} class="losses">
                      ✗ {input.path}: no longer in the project
                    </p>
                  ))}
                {job.data ? (
                  <InputPicker projectId={job.data.projectId} accepted={accepted} chosen={shownInputs} onChange={setInputs} startFolder={shownInputs[0]?.path.split('/').slice(0, -1).join('/') || 'raw'} />
                ) : (
                  <ProblemMessage problem={job.problem} />
                )}
              </>
            )}
            {at === 'Parameters' && (
              <div class="parameters">
                {data.parameters.map((parameter) => (
                  <ParameterField
                    key={parameter.name}
                    name={parameter.name}
                    schema={{ ...(parameter.schema as ParameterSchema), default: parameter.default }}
                    note={`This job ran with ${valueWords(parameter.value)}`}
                    value={parameter.name in parameters ? parameters[parameter.name] : parameter.value}
                    onChange={(value) => setParameters({ ...parameters, [parameter.name]: value })}
                    refusalAt={(path) => fieldProblem(start.problem, `parameters.${path}`)}
                  />
                ))}
              </div>
            )}
            {at === 'Machine' && (
              <fieldset class="field">
                <legend>Machine type and performance</legend>
                {(chosen?.machineTypes ?? data.allowedMachines).map((key) => (
                  <label key={key} class="choice">
                    <input type="radio" name="machine" value={key} checked={(machine ?? keyOf(data.machine)) === key} onChange={() => setMachine(key)} />
                    <span>
                      <strong>{machineWords(machineOf(key))}</strong>
                      {key === keyOf(data.machine) && <span class="muted"> (this job’s)</span>}
                    </span>
                  </label>
                ))}
              </fieldset>
            )}
            {at === 'Review and start' && <Review data={data} inputs={inputs} version={version} parameters={parameters} machine={machine} />}
            <ProblemMessage problem={start.problem} />
            <div class="form-actions">
              {step > 0 && <Button onClick={() => setStep(step - 1)}>Back</Button>}
              {step < STEPS.length - 1 ? (
                <Button variant="primary" onClick={() => setStep(step + 1)} disabled={(at === 'Inputs' && !inputsUsable) || (at === 'Parameters' && !parametersUsable)}>
                  Next: {STEPS[step + 1]}
                </Button>
              ) : (
                <Button variant="primary" busy={start.busy} disabled={!parametersUsable} onClick={() => void start.run(data)}>
                  Start the job
                </Button>
              )}
            </div>
          </Card>
        </>
      )}
    </>
  );
}

/** What the new job will differ in, before it starts. */
function Review({ data, inputs, version, parameters, machine }: { data: RerunForm; inputs?: ChosenInput[]; version?: string; parameters: Record<string, unknown>; machine?: string }) {
  const changes: string[] = [];
  if (version !== undefined && version !== data.template.version) changes.push(`Template version: ${data.template.version} → ${version}`);
  for (const parameter of data.parameters) {
    if (parameter.name in parameters && JSON.stringify(parameters[parameter.name]) !== JSON.stringify(parameter.value)) {
      changes.push(`Parameter ${parameter.name}: ${valueWords(parameter.value)} → ${valueWords(parameters[parameter.name])}`);
    }
  }
  if (inputs !== undefined) {
    const chosen = new Set(inputs.map((input) => input.fileId));
    const original = new Set(data.inputs.map((input) => input.fileId));
    for (const input of data.inputs) if (!chosen.has(input.fileId)) changes.push(`Input left out: ${input.path}`);
    for (const input of inputs) if (!original.has(input.fileId)) changes.push(`Input added: ${input.path}`);
  }
  if (machine !== undefined && machine !== keyOf(data.machine)) changes.push(`Machine: ${machineWords(data.machine)} → ${machineWords(machineOf(machine))}`);
  return (
    <>
      <p>
        A new job of <strong>{data.template.ref}</strong>, triggered by you, writing to its own output folder. Compared with job {data.jobId.slice(0, 8)}:
      </p>
      {changes.length === 0 ? (
        <p class="muted">Nothing changes: it runs again as it was.</p>
      ) : (
        <ul class="changes">
          {changes.map((change) => (
            <li key={change}>{change}</li>
          ))}
        </ul>
      )}
    </>
  );
}

/** What changes between two versions of a template, shown before the rerun starts. */
export function VersionChanges({ from, to }: { from: Template; to: Template }) {
  if (from.version === to.version) return <p class="muted">The same version as the job ran.</p>;
  const changes: string[] = [];
  if (from.description !== to.description) changes.push(`Description: ${to.description || '(none)'}`);
  if (typesWords(from.inputTypes) !== typesWords(to.inputTypes)) changes.push(`Input types: ${typesWords(from.inputTypes)} → ${typesWords(to.inputTypes)}`);
  if (from.machineTypes.join() !== to.machineTypes.join()) changes.push(`Machines: ${from.machineTypes.map((key) => machineWords(machineOf(key))).join(', ')} → ${to.machineTypes.map((key) => machineWords(machineOf(key))).join(', ')}`);
  const before = new Map(parametersOf(from.parameters));
  const after = new Map(parametersOf(to.parameters));
  for (const [name, schema] of after) {
    const old = before.get(name);
    if (!old) changes.push(`New parameter ${name}${schema.default !== undefined ? ` (default ${valueWords(schema.default)})` : ''}`);
    else if (JSON.stringify(old) !== JSON.stringify(schema)) changes.push(`Parameter ${name} changed: ${valueWords(old)} → ${valueWords(schema)}`);
  }
  for (const name of before.keys()) if (!after.has(name)) changes.push(`Parameter ${name} removed`);
  if (from.command.join(' ') !== to.command.join(' ')) changes.push(`Command: ${from.command.join(' ')} → ${to.command.join(' ')}`);
  return (
    <section aria-label={`What changes from ${from.version} to ${to.version}`}>
      <h3>
        What changes from {from.version} to {to.version}
      </h3>
      {changes.length === 0 ? (
        <p class="muted">Nothing that the console can compare: the same inputs, parameters, machines and command.</p>
      ) : (
        <ul class="changes">
          {changes.map((change) => (
            <li key={change}>{change}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
