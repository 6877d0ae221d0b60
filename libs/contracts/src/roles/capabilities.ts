/**
 * What a role lets someone do on a project. Other services check these (never role names), so a new
 * role scheme changes who can do what without touching them.
 */
export const CAPABILITIES = [
  /** Files, jobs and their history, logbook, comments. */
  'project.read',
  'comments.write',
  'files.upload',
  /** Run and rerun jobs (and cancel one's own). */
  'jobs.run',
  /** Cancel anyone's job, not only one's own. */
  'jobs.cancel',
  'logbook.write',
  /** Make, rename and delete image stacks of the project's experiments (lab guide: "making stacks and uploads"). */
  'stacks.write',
  /** Annotate a frame of a stack (lab guide: Commenter "can see experiments in the project and comment/annotate stacks"). */
  'stacks.annotate',
  'deletion.request.processed',
  /** Add experiments (lab guide) or linked datasets (facility guide) to the project. */
  'datasets.link',
  'datasets.unlink',
  'deletion.request.raw',
  'deletion.approve.processed',
  'deletion.approve.raw',
  'project.update',
  'project.delete',
  'base-level.manage',
  /** See the project's users page: everyone with access and how they got it. */
  'access.view',
  /** Open "manage access". Which roles one may give, change or remove is the scheme's `grantRules`. */
  'access.manage',
  /** "Check as user": whether someone else may do something, and why. */
  'access.check',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

export function isCapability(value: string): value is Capability {
  return (CAPABILITIES as readonly string[]).includes(value);
}
