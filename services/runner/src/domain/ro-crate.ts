import { machineKeyOf, type Assignment } from '@cairn/contracts';
import type { Outcome } from './outcome';

/** The crate's metadata file, at the root of the job's output folder (RO-Crate 1.1, §"RO-Crate Metadata File"). */
export const CRATE_METADATA_NAME = 'ro-crate-metadata.json';

const RO_CRATE = 'https://w3id.org/ro/crate/1.1';
const PROCESS_RUN_CRATE = 'https://w3id.org/ro/wfrun/process/0.5';
const ACTION_STATUS = { completed: 'http://schema.org/CompletedActionStatus', failed: 'http://schema.org/FailedActionStatus' } as const;
/** The 1.1 context has no term for a digest: the one Workflow Run Crate defines. */
const CONTEXT = [`${RO_CRATE}/context`, { sha256: 'https://w3id.org/ro/terms/workflow-run#sha256' }] as const;

/** A file of the job's folder: its path in the project's file space (`processed/<jobId>/...`) and its content. */
export interface CrateFile {
  path: string;
  size: number;
  sha256: string;
}

export interface CrateFacts {
  assignment: Assignment;
  ending: Outcome;
  endedAt: string;
  /** The outputs the job reported, as the projects service recorded them. */
  outputs: CrateFile[];
  /** Files the runner put into the folder beside the outputs (the job's log). */
  alongside: CrateFile[];
  /** The platform's API as the runner reaches it: inputs and related jobs are named by their Cairn URL. */
  apiUrl: string;
  runnerId: string;
}

type Entity = { '@id': string; '@type': string | string[] } & Record<string, unknown>;
const ref = (id: string) => ({ '@id': id });
/** RO-Crate 1.1 recommends a single value where a list would have one item. */
const refs = (entities: { '@id': string }[]) => (entities.length === 1 ? ref(entities[0]['@id']) : entities.map((entity) => ref(entity['@id'])));
/** ISO 8601 with the offset spelled out (`+00:00`), the form the profile's validator reads. */
const timeOf = (iso: string) => iso.replace(/Z$/, '+00:00');

/**
 * A job's Process Run Crate (profile 0.5 on RO-Crate 1.1): the job as a `CreateAction` whose instrument
 * is the pinned template version, whose object is its inputs, parameters and machine, and whose result
 * is its outputs. The crate's root is the job's output folder, so outputs are named relative to it;
 * inputs stay in the project and are named by their Cairn URL, not bundled (web-based data entities).
 */
export function processRunCrate(facts: CrateFacts): { '@context': typeof CONTEXT; '@graph': Entity[] } {
  const { assignment, ending, provenance } = { ...facts, provenance: facts.assignment.provenance };
  const api = facts.apiUrl.replace(/\/+$/, '');
  const folder = assignment.outputFolder.endsWith('/') ? assignment.outputFolder : `${assignment.outputFolder}/`;
  const local = (file: CrateFile) => (file.path.startsWith(folder) ? file.path.slice(folder.length) : file.path);
  const jobUrl = (jobId: string) => `${api}/api/jobs/${encodeURIComponent(jobId)}`;
  const templateRef = `${assignment.template.name}@${assignment.template.version}`;
  const actionId = `#run-${assignment.jobId}`;
  const instrumentId = `${api}/api/job-templates#${encodeURIComponent(templateRef)}`;
  const personId = provenance ? `#person-${provenance.triggeredBy.id}` : undefined;

  const fileEntity = (file: CrateFile, description?: string): Entity => ({
    '@id': local(file),
    '@type': 'File',
    name: local(file),
    ...(description && { description }),
    contentSize: String(file.size),
    sha256: file.sha256,
    encodingFormat: encodingFormatOf(file.path),
  });
  const inputs: Entity[] = assignment.inputs.map((input, index) => {
    const content = provenance?.inputs.find((known) => known.fileId === input.fileId);
    return {
      '@id': `${api}/api/projects/${encodeURIComponent(assignment.projectId)}/files/${encodeURIComponent(input.fileId)}/content`,
      '@type': 'File',
      name: input.path,
      description: `Input ${index + 1} of the job: the project's file ${input.path} (id ${input.fileId}), not bundled; readable by the project's members.`,
      identifier: input.fileId,
      ...(content?.sha256 !== undefined && { sha256: content.sha256, contentSize: String(content.size) }),
      encodingFormat: encodingFormatOf(input.path),
      // When the runner fetched it for the job.
      ...(provenance && { sdDatePublished: timeOf(provenance.startedAt) }),
    };
  });
  const settings: Entity[] = [
    ...Object.entries(assignment.parameters).map(([name, value]) => ({
      '@id': `#parameter-${encodeURIComponent(name)}`,
      '@type': 'PropertyValue',
      name,
      value: typeof value === 'string' ? value : JSON.stringify(value),
    })),
    { '@id': '#machine', '@type': 'PropertyValue', name: 'machine type', propertyID: 'machine', value: machineKeyOf(assignment.machine) },
  ];
  const templateDetails: Entity[] = [
    { '@id': '#template-command', '@type': 'PropertyValue', name: 'command', description: 'The argument vector the runner expands and runs (never a shell string).', value: JSON.stringify(assignment.command) },
    ...(provenance
      ? [{ '@id': '#template-parameters', '@type': 'PropertyValue', name: 'parameter schema', description: 'JSON Schema of the parameters.', value: JSON.stringify(provenance.template.parameters) }]
      : []),
  ];
  const outputs = facts.outputs.map((file) => fileEntity(file));
  const alongside = facts.alongside.map((file) => fileEntity(file, 'Written by the runner beside the outputs (not a result of the command).'));

  const status = ending.outcome === 'succeeded' ? 'succeeded' : ending.outcome === 'failed' ? `failed (${ending.failure.kind})` : 'cancelled';
  const action: Entity = {
    '@id': actionId,
    '@type': 'CreateAction',
    name: `Job ${assignment.jobId}: ${templateRef}, ${status}`,
    description: `A run of ${templateRef} on ${machineKeyOf(assignment.machine)} in Cairn by runner ${facts.runnerId}, ${status}.`,
    identifier: assignment.jobId,
    url: jobUrl(assignment.jobId),
    instrument: ref(instrumentId),
    ...(personId && { agent: ref(personId) }),
    object: refs([...inputs, ...settings]),
    result: refs(outputs),
    ...(provenance && { startTime: timeOf(provenance.startedAt) }),
    endTime: timeOf(facts.endedAt),
    actionStatus: ending.outcome === 'succeeded' ? ACTION_STATUS.completed : ACTION_STATUS.failed,
    ...(ending.outcome === 'failed' && { error: `${ending.failure.kind} failure: ${ending.failure.reason}` }),
    ...(ending.outcome === 'cancelled' && { error: 'cancelled: someone asked Cairn to stop the job before it ended' }),
  };
  const instrument: Entity = {
    '@id': instrumentId,
    '@type': 'SoftwareApplication',
    name: assignment.template.name,
    softwareVersion: assignment.template.version,
    ...(provenance?.template.description && { description: provenance.template.description }),
    additionalProperty: refs(templateDetails),
  };
  const people: Entity[] = provenance
    ? [
        {
          '@id': personId!,
          '@type': 'Person',
          name: provenance.triggeredBy.displayName ?? provenance.triggeredBy.username ?? provenance.triggeredBy.id,
          ...(provenance.triggeredBy.username !== undefined && { alternateName: provenance.triggeredBy.username }),
          identifier: provenance.triggeredBy.id,
          description: 'Triggered the job in Cairn.',
        },
      ]
    : [];
  const lineage = lineageOf(facts, jobUrl);
  const root: Entity = {
    '@id': './',
    '@type': 'Dataset',
    name: `Cairn job ${assignment.jobId} (${templateRef})`,
    description: `The output folder ${folder} of a ${templateRef} job in Cairn and how it was made: inputs, parameters, machine, who ran it and when.`,
    datePublished: timeOf(facts.endedAt),
    license: ref('#license'),
    conformsTo: ref(PROCESS_RUN_CRATE),
    hasPart: refs([...outputs, ...alongside, ...inputs]),
    mentions: ref(actionId),
    ...(lineage.length > 0 && { isBasedOn: refs(lineage) }),
  };
  return {
    '@context': CONTEXT,
    '@graph': [
      { '@id': CRATE_METADATA_NAME, '@type': 'CreativeWork', conformsTo: ref(RO_CRATE), about: ref('./') },
      root,
      { '@id': PROCESS_RUN_CRATE, '@type': 'CreativeWork', name: 'Process Run Crate', version: '0.5' },
      {
        '@id': '#license',
        '@type': 'CreativeWork',
        name: 'No license stated',
        description: "Cairn records no license for a project's files: ask the project's owners before reusing them.",
      },
      action,
      instrument,
      ...templateDetails,
      ...people,
      ...inputs,
      ...settings,
      ...outputs,
      ...alongside,
      ...lineage,
    ],
  };
}

/** For a rerun: the crates of the job it reruns and of the first job of its chain, by their Cairn URL. */
function lineageOf({ assignment }: CrateFacts, jobUrl: (jobId: string) => string): Entity[] {
  const provenance = assignment.provenance;
  if (provenance?.rerunOf === undefined) return [];
  const crateOf = (jobId: string, name: string): Entity => ({ '@id': `${jobUrl(jobId)}/ro-crate`, '@type': 'CreativeWork', name, identifier: jobId, encodingFormat: 'application/zip' });
  if (provenance.rerunOf === provenance.rootJobId) return [crateOf(provenance.rerunOf, `Crate of job ${provenance.rerunOf}, which this job reruns and which began its chain`)];
  return [
    crateOf(provenance.rerunOf, `Crate of job ${provenance.rerunOf}, which this job reruns`),
    crateOf(provenance.rootJobId, `Crate of job ${provenance.rootJobId}, the first of this job's rerun chain`),
  ];
}

const MEDIA_TYPES: Record<string, string> = {
  json: 'application/json',
  txt: 'text/plain',
  log: 'text/plain',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  pdf: 'application/pdf',
  xyz: 'chemical/x-xyz',
  pdb: 'chemical/x-pdb',
  html: 'text/html',
};

/** The file's media type by its extension; `application/octet-stream` for one Cairn does not know. */
export function encodingFormatOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return (dot > 0 && MEDIA_TYPES[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}
