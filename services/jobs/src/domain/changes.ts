import { machineKeyOf, type JobInput, type JobRequestedData, type Machine } from '@cairn/contracts';

/** What a job asked for that can differ between two jobs of one template. */
export type ComparedJob = Pick<JobRequestedData, 'template' | 'inputs' | 'parameters' | 'machine'>;

/**
 * Only what differs: "What changed: parameters / inputs" of the logbook template, and a rerun's
 * `changes`. A parameter one job has and the other lacks has only `from` or only `to`.
 */
export interface JobChanges {
  parameters?: Record<string, { from?: unknown; to?: unknown }>;
  inputs?: { added: JobInput[]; removed: JobInput[]; reordered?: true };
  machine?: { from: Machine; to: Machine };
  templateVersion?: { from: string; to: string };
}

export function changesBetween(from: ComparedJob, to: ComparedJob): JobChanges {
  const changes: JobChanges = {};
  const parameters = parameterChanges(from.parameters, to.parameters);
  if (Object.keys(parameters).length > 0) changes.parameters = parameters;
  const inputs = inputChanges(from.inputs, to.inputs);
  if (inputs) changes.inputs = inputs;
  if (machineKeyOf(from.machine) !== machineKeyOf(to.machine)) changes.machine = { from: from.machine, to: to.machine };
  if (from.template.version !== to.template.version) changes.templateVersion = { from: from.template.version, to: to.template.version };
  return changes;
}

function parameterChanges(from: Record<string, unknown>, to: Record<string, unknown>): NonNullable<JobChanges['parameters']> {
  const names = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  const changed = names.filter((name) => canonical(from[name]) !== canonical(to[name]));
  return Object.fromEntries(
    changed.map((name) => [name, { ...(name in from ? { from: from[name] } : {}), ...(name in to ? { to: to[name] } : {}) }]),
  );
}

function inputChanges(from: JobInput[], to: JobInput[]): JobChanges['inputs'] | undefined {
  const before = new Set(from.map((input) => input.fileId));
  const after = new Set(to.map((input) => input.fileId));
  const added = to.filter((input) => !before.has(input.fileId));
  const removed = from.filter((input) => !after.has(input.fileId));
  if (added.length > 0 || removed.length > 0) return { added, removed };
  // The same files in another order: `{{inputs}}` hands them to the command in the job's order.
  const reordered = from.some((input, index) => input.fileId !== to[index].fileId);
  return reordered ? { added: [], removed: [], reordered: true } : undefined;
}

/** JSON with object keys sorted: two values that mean the same compare equal. */
function canonical(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}
