import type { ComponentChildren } from 'preact';
import { answer, type JobsSchemas, type LogbookSchemas } from '../api/client';
import { Link } from '../router';
import { useConsole } from '../ui/context';
import { Card, Empty, Time } from '../ui/layout';
import { ProblemMessage } from '../ui/problem';
import { valueWords } from '../ui/parameter-field';
import { useLoad } from '../ui/use-load';
import { jobPath, machineWords, personWords, StatusBadge } from './jobs';

type Changes = JobsSchemas['JobChangesDto'];
type LineageJob = JobsSchemas['LineageItemDto'];
type BestJobs = LogbookSchemas['BestJobsDto'];

/** What a rerun changed against the job it reruns: parameters, inputs, machine, template version. */
export function ChangesList({ changes }: { changes: Changes }) {
  const items: ComponentChildren[] = [];
  for (const [name, change] of Object.entries(changes.parameters ?? {})) {
    items.push(
      <li key={`parameter-${name}`}>
        Parameter <strong>{name}</strong>: {valueWords(change.from)} → {valueWords(change.to)}
      </li>,
    );
  }
  if (changes.inputs) {
    for (const input of changes.inputs.added) items.push(<li key={`added-${input.fileId}`}>Input added: {input.path}</li>);
    for (const input of changes.inputs.removed) items.push(<li key={`removed-${input.fileId}`}>Input removed: {input.path}</li>);
    if (changes.inputs.reordered) items.push(<li key="reordered">Inputs in another order</li>);
  }
  if (changes.machine) items.push(<li key="machine">Machine: {machineWords(changes.machine.from)} → {machineWords(changes.machine.to)}</li>);
  if (changes.templateVersion) items.push(<li key="version">Template version: {changes.templateVersion.from} → {changes.templateVersion.to}</li>);
  return items.length === 0 ? <Empty>Nothing: the same template, inputs, parameters and machine.</Empty> : <ul class="changes">{items}</ul>;
}

/** How the logbook marks a job: among its latest best jobs (with why), or among earlier ones. */
interface BestMark {
  latest: boolean;
  reason: string;
}

function bestMarksOf(history: BestJobs[]): Map<string, BestMark> {
  const marks = new Map<string, BestMark>();
  // Newest first: the first record naming a job says how it stands now.
  history.forEach((record, index) => {
    for (const best of record.jobs) if (!marks.has(best.jobId)) marks.set(best.jobId, { latest: index === 0, reason: best.reason });
  });
  return marks;
}

function LineageNode({ job, childrenOf, currentId, marks }: { job: LineageJob; childrenOf: Map<string, LineageJob[]>; currentId: string; marks: Map<string, BestMark> }) {
  const mark = marks.get(job.id);
  const reruns = childrenOf.get(job.id) ?? [];
  return (
    <li>
      <div class="lineage-job">
        {job.id === currentId ? (
          <strong aria-current="page">job {job.id.slice(0, 8)} (this job)</strong>
        ) : (
          <Link href={jobPath(job.id)}>job {job.id.slice(0, 8)}</Link>
        )}{' '}
        <StatusBadge status={job.status} /> <span class="small">
          by {personWords(job.triggeredBy)}, <Time iso={job.createdAt} />
        </span>
        {mark && (
          <>
            <span class={`badge ${mark.latest ? 'badge-best' : 'badge-quiet'}`}>{mark.latest ? 'Best job' : 'Earlier best job'}</span>
            <span class="small muted">{mark.reason}</span>
          </>
        )}
      </div>
      {job.changes && <ChangesList changes={job.changes} />}
      {reruns.length > 0 && (
        <ol class="lineage">
          {reruns.map((rerun) => (
            <LineageNode key={rerun.id} job={rerun} childrenOf={childrenOf} currentId={currentId} marks={marks} />
          ))}
        </ol>
      )}
    </li>
  );
}

/**
 * "Lineage in view": the tree of reruns under the job's root, who ran each, what changed against the job it
 * reruns, its status, and the logbook's best-job marks. `changed` counts what the page heard since: the
 * tree is read again on each.
 */
export function LineageCard({ job, changed }: { job: { id: string; projectId: string; rootJobId: string }; changed: number }) {
  const { api } = useConsole();
  const lineage = useLoad(
    async () => {
      const [tree, best] = await Promise.all([
        answer(api.jobs.GET('/api/jobs/{id}/lineage', { params: { path: { id: job.id } } })),
        answer(api.logbook.GET('/api/projects/{id}/logbook/best-jobs', { params: { path: { id: job.projectId } } })),
      ]);
      return { tree, marks: bestMarksOf(best.items) };
    },
    [job.id, job.projectId, changed],
  );
  const data = lineage.data;
  const childrenOf = new Map<string, LineageJob[]>();
  for (const item of data?.tree.items ?? []) if (item.rerunOf !== undefined) childrenOf.set(item.rerunOf, [...(childrenOf.get(item.rerunOf) ?? []), item]);
  const root = data?.tree.items.find((item) => item.id === data.tree.rootJobId);
  return (
    <Card title="Lineage" id="lineage">
      <ProblemMessage problem={lineage.problem} />
      {data && !root && <Empty>The first job of this chain is not listed yet.</Empty>}
      {data && root && (
        <>
          {childrenOf.size === 0 && <p class="muted small">No reruns yet: this job stands alone.</p>}
          <ol class="lineage" aria-label="Reruns under the first job">
            <LineageNode job={root} childrenOf={childrenOf} currentId={job.id} marks={data.marks} />
          </ol>
          {data.tree.truncated && <p class="muted small">Only the oldest {data.tree.items.length} jobs of this chain are shown.</p>}
        </>
      )}
    </Card>
  );
}
