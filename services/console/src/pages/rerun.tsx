import { useEffect, useRef, useState } from 'preact/hooks';
import { answer, type JobsSchemas } from '../api/client';
import { Link, navigate } from '../router';
import { useConsole } from '../ui/context';
import { Button } from '../ui/forms';
import { Card, Loading, PageHeader } from '../ui/layout';
import { fieldProblem, ProblemMessage } from '../ui/problem';
import { useAction, useLoad } from '../ui/use-load';
import { extensionOf } from '../ui/input-picker';
import { ParameterField, valueWords, type ParameterSchema } from '../ui/parameter-field';
import { jobPath, keyOf, machineOf, machineWords } from './jobs';

type RerunForm = JobsSchemas['RerunFormDto'];

const STEPS = ['Inputs', 'Parameters', 'Machine', 'Review and start'] as const;


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
  const [inputs, setInputs] = useState<string[] | undefined>();
  const [parameters, setParameters] = useState<Record<string, unknown>>({});
  const [machine, setMachine] = useState<string | undefined>();
  const stepHeading = useRef<HTMLHeadingElement>(null);
  useEffect(() => stepHeading.current?.focus(), [step]);
  const start = useAction(async (data: RerunForm) => {
    const keptInputs = inputs ?? data.inputs.map((input) => input.fileId);
    const changedParameters = Object.fromEntries(Object.entries(parameters).filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(data.parameters.find((parameter) => parameter.name === name)?.value)));
    // Only what the person changed is sent: the rest stays as the original had it.
    const body = {
      ...(inputs !== undefined && { inputs: keptInputs }),
      ...(Object.keys(changedParameters).length > 0 && { parameters: changedParameters }),
      ...(machine !== undefined && machine !== keyOf(data.machine) && { machine: machineOf(machine) }),
    };
    const rerun = await answer(api.jobs.POST('/api/jobs/{id}/rerun', { params: { path: { id: jobId } }, body }));
    navigate(jobPath(rerun.id));
  });
  const data = form.data;
  return (
    <>
      <PageHeader title="Rerun" eyebrow={<Link href={jobPath(jobId)}>Job {jobId.slice(0, 8)}</Link>} subtitle={data && `${data.template.ref}: same workflow and starting point, your own output folder`} />
      <ProblemMessage problem={form.problem} />
      {form.loading && !data && <Loading what="the rerun form" />}
      {data && (
        <>
          <nav aria-label="Rerun steps" class="steps">
            <ol>
              {STEPS.map((name, index) => (
                <li key={name} class={index === step ? 'current' : index < step ? 'done' : ''}>
                  <button type="button" class="button-link" aria-current={index === step ? 'step' : undefined} onClick={() => setStep(index)}>
                    {index + 1}. {name}
                  </button>
                </li>
              ))}
            </ol>
          </nav>
          <Card>
            <h2 tabIndex={-1} ref={stepHeading}>
              {step + 1}. {STEPS[step]}
            </h2>
            {step === 0 && (
              <fieldset class="field">
                <legend>Input files (this template takes {data.acceptedInputTypes.includes('*') ? 'any file' : data.acceptedInputTypes.map((type) => `.${type}`).join(', ')})</legend>
                {data.inputs.map((input) => {
                  const kept = (inputs ?? data.inputs.map((candidate) => candidate.fileId)).includes(input.fileId);
                  const usable = input.present && input.acceptedType;
                  return (
                    <label key={input.fileId} class="choice">
                      <input
                        type="checkbox"
                        checked={kept}
                        disabled={!usable}
                        onChange={() => {
                          const current = inputs ?? data.inputs.map((candidate) => candidate.fileId);
                          setInputs(kept ? current.filter((id) => id !== input.fileId) : [...current, input.fileId]);
                        }}
                      />
                      <span>
                        <strong>{input.pathNow ?? input.path}</strong>{' '}
                        {usable ? (
                          <span class="gains">✓ type .{extensionOf(input.path)} accepted</span>
                        ) : (
                          <span class="losses">✗ {input.problem === 'type-not-accepted' ? `type .${extensionOf(input.path)} not accepted` : 'no longer in the project'}</span>
                        )}
                      </span>
                    </label>
                  );
                })}
              </fieldset>
            )}
            {step === 1 && (
              <div class="parameters">
                {data.parameters.map((parameter) => (
                  <ParameterField
                    key={parameter.name}
                    name={parameter.name}
                    schema={{ ...(parameter.schema as ParameterSchema), default: parameter.default }}
                    note={`This job ran with ${valueWords(parameter.value)}`}
                    value={parameter.name in parameters ? parameters[parameter.name] : parameter.value}
                    onChange={(value) => setParameters({ ...parameters, [parameter.name]: value })}
                    error={fieldProblem(start.problem, `parameters.${parameter.name}`)}
                  />
                ))}
              </div>
            )}
            {step === 2 && (
              <fieldset class="field">
                <legend>Machine type and performance</legend>
                {data.allowedMachines.map((key) => (
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
            {step === 3 && <Review data={data} inputs={inputs} parameters={parameters} machine={machine} />}
            <ProblemMessage problem={start.problem} />
            <div class="form-actions">
              {step > 0 && <Button onClick={() => setStep(step - 1)}>Back</Button>}
              {step < STEPS.length - 1 ? (
                <Button variant="primary" onClick={() => setStep(step + 1)} disabled={step === 0 && (inputs ?? data.inputs.map((input) => input.fileId)).length === 0}>
                  Next: {STEPS[step + 1]}
                </Button>
              ) : (
                <Button variant="primary" busy={start.busy} onClick={() => void start.run(data)}>
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
function Review({ data, inputs, parameters, machine }: { data: RerunForm; inputs?: string[]; parameters: Record<string, unknown>; machine?: string }) {
  const changes: string[] = [];
  for (const parameter of data.parameters) {
    if (parameter.name in parameters && JSON.stringify(parameters[parameter.name]) !== JSON.stringify(parameter.value)) {
      changes.push(`Parameter ${parameter.name}: ${valueWords(parameter.value)} → ${valueWords(parameters[parameter.name])}`);
    }
  }
  if (inputs !== undefined) {
    for (const input of data.inputs) if (!inputs.includes(input.fileId)) changes.push(`Input left out: ${input.path}`);
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
