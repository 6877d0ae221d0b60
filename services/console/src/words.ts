import type { ProjectsSchemas } from './api/client';

/** "experimenter" → "Experimenter"; null → "No access". */
export function roleLabel(role: string | null | undefined): string {
  if (!role || role === 'none') return 'None';
  return role.charAt(0).toUpperCase() + role.slice(1);
}

const CAPABILITY_WORDS: Record<string, string> = {
  'project.read': 'see the project, its files, jobs and logbook',
  'access.view': 'see who has access',
  'access.manage': 'manage access',
  'access.check': 'check someone’s access',
  'comments.write': 'comment',
  'files.upload': 'upload files',
  'jobs.run': 'run and rerun jobs',
  'logbook.write': 'write the logbook',
  'stacks.write': 'make, rename and delete stacks',
  'stacks.annotate': 'annotate stacks',
  'deletion.request.processed': 'request deletion of processed data',
  'deletion.request.raw': 'request deletion of raw data',
  'deletion.approve.processed': 'approve deletion of processed data',
  'deletion.approve.raw': 'approve deletion of raw data',
  'datasets.link': 'add experiments',
  'datasets.unlink': 'remove experiments',
  'project.update': 'edit the project',
  'project.delete': 'delete the project',
  'base-level.manage': 'change the base level',
};

/**
 * What a project's experiments are called. The facility guide's Manager "manages linked datasets" and
 * never says "experiment"; the lab guide speaks of experiments. The same thing either way.
 */
export function datasetWords(scheme: string) {
  return scheme === 'facility'
    ? { plural: 'Linked datasets', singular: 'linked dataset', one: 'Linked dataset', manager: 'Dataset manager' }
    : { plural: 'Experiments', singular: 'experiment', one: 'Experiment', manager: 'Experiment manager' };
}

export function capabilityWords(capability: string): string {
  if (capability.startsWith('grant.')) return `give the ${capability.slice('grant.'.length)} role`;
  return CAPABILITY_WORDS[capability] ?? capability;
}

/** "1.2 MB". */
export function bytes(size: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = size;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} ${value === 1 ? 'byte' : 'bytes'}` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

type Activity = ProjectsSchemas['ActivityDto'];
export type NameOf = (userId: string | undefined) => string;

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const count = (value: unknown, what: string) => {
  const n = Array.isArray(value) ? value.length : 0;
  return `${n} ${what}${n === 1 ? '' : 's'}`;
};

/** One sentence per entry of a project's activity, whichever service it comes from. */
export function describeActivity(entry: Activity, nameOf: NameOf): string {
  const who = nameOf(entry.actor);
  const d = entry.details;
  const reason = text(d.reason) ? ` (“${text(d.reason)}”)` : '';
  switch (entry.type) {
    case 'projects.project.created.v1':
      return `${who} created the project “${text(d.name)}”`;
    case 'projects.project.updated.v1':
      return `${who} edited the project`;
    case 'projects.project.deleted.v1':
      return `${who} deleted the project`;
    case 'projects.experiment.linked.v1':
      return `${who} added ${count(d.experimentIds, 'experiment')}`;
    case 'projects.experiment.unlinked.v1':
      return `${who} removed ${count(d.experimentIds, 'experiment')}${d.confirmedWidening ? ', confirming that more people would see them' : ''}`;
    case 'projects.file.added.v1':
      return d.jobId ? `Job ${text(d.jobId).slice(0, 8)} produced ${text(d.path)}` : `${nameOf(text(d.addedBy) || entry.actor)} uploaded ${text(d.path)}`;
    case 'projects.file.added-to-experiment.v1':
      return `${nameOf(text(d.addedBy) || entry.actor)} uploaded ${text(d.path)} into an experiment`;
    case 'projects.deletion.requested.v1':
      return `${who} asked to delete ${count(d.files, 'file')}${reason}`;
    case 'projects.deletion.approved.v1':
      return `${who} approved ${nameOf(text(d.requestedBy))}’s deletion request`;
    case 'projects.deletion.rejected.v1':
      return `${who} rejected ${nameOf(text(d.requestedBy))}’s deletion request${reason}`;
    case 'projects.file.deleted.v1':
      return `${text(d.path)} was deleted`;
    case 'access.project.initialized.v1':
      return `${nameOf(text(d.user))} became ${roleLabel(text(d.after))} as its creator`;
    case 'access.role.granted.v1':
      return `${who} gave ${nameOf(text(d.user))} the ${roleLabel(text(d.after))} role${reason}`;
    case 'access.role.changed.v1':
      return `${who} changed ${nameOf(text(d.user))} from ${roleLabel(text(d.before))} to ${roleLabel(text(d.after))}${reason}`;
    case 'access.role.revoked.v1':
      return `${who} removed ${nameOf(text(d.user))}’s ${roleLabel(text(d.before))} permission${reason}`;
    case 'access.base-level.changed.v1':
      return `${who} changed the base level from ${roleLabel(text(d.before))} to ${roleLabel(text(d.after))}${reason}`;
    case 'access.ownership.transferred.v1':
      return `${nameOf(text(d.previousOwner))} handed ownership to ${nameOf(text(d.newOwner))}${reason}`;
    case 'access.invitation.sent.v1':
      return `${who} invited ${text(d.email)} as ${roleLabel(text(d.role))}${reason}`;
    case 'access.invitation.withdrawn.v1':
      return `${who} withdrew the invitation of ${text(d.email)}${reason}`;
    case 'access.invitation.accepted.v1':
      return `${nameOf(text(d.user))} signed in with ${text(d.email)} and accepted ${nameOf(text(d.invitedBy))}’s invitation`;
    case 'jobs.job.requested.v1':
      return `${who} started job ${text(d.jobId).slice(0, 8)}${text(d.template) ? ` (${text(d.template)})` : ''}${d.rerunOf ? ' as a rerun' : ''}`;
    case 'jobs.job.started.v1':
      return `Job ${text(d.jobId).slice(0, 8)} is running`;
    case 'jobs.job.succeeded.v1':
      return `Job ${text(d.jobId).slice(0, 8)} succeeded`;
    case 'jobs.job.failed.v1':
      return `Job ${text(d.jobId).slice(0, 8)} failed`;
    case 'jobs.job.cancel-requested.v1':
      return `${who} asked to cancel job ${text(d.jobId).slice(0, 8)}`;
    case 'jobs.job.cancelled.v1':
      return `Job ${text(d.jobId).slice(0, 8)} was cancelled`;
    case 'jobs.job.output-added.v1':
      return `Job ${text(d.jobId).slice(0, 8)} wrote ${text(d.path)}`;
    case 'jobs.job.progressed.v1':
      return `Job ${text(d.jobId).slice(0, 8)} progressed`;
    case 'logbook.entry.added.v1':
      return `${who} wrote “${text(d.title)}” in the logbook`;
    case 'logbook.entry.revised.v1':
      return `${who} revised a logbook entry`;
    case 'logbook.best-jobs.recorded.v1':
      return `${who} recorded the best job${Array.isArray(d.jobIds) && d.jobIds.length === 1 ? '' : 's'}${reason}`;
    case 'logbook.comment.added.v1':
      return `${who} commented`;
    case 'logbook.comment.edited.v1':
      return `${who} edited a comment`;
    default:
      return `${who}: ${entry.type.replace(/\.v\d+$/, '').split('.').slice(1).join(' ')}`;
  }
}
