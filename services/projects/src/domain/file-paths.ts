import { invalidField } from '@cairn/contracts';

export const FILE_PATH_MAX_LENGTH = 1024;
const JOB_ID = /^[A-Za-z0-9_-]+$/;

/** A raw upload lives under `raw/`. */
export function requireRawPath(path: string): string {
  const segments = requireRelativePath(path);
  if (segments[0] !== 'raw' || segments.length < 2) {
    throw invalidField('files.raw-under-raw', 'path', 'raw uploads go under raw/, e.g. raw/run-1/image.tif');
  }
  return path;
}

/** A job's output lives in its own folder, `processed/<jobId>/`, so a rerun never overwrites anyone's results. */
export function requireProcessedPath(path: string, jobId: string): string {
  if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) {
    throw invalidField('files.job-id', 'jobId', "may contain only letters, digits, '_' and '-'");
  }
  const segments = requireRelativePath(path);
  if (segments[0] !== 'processed' || segments[1] !== jobId || segments.length < 3) {
    throw invalidField('files.processed-under-job-folder', 'path', `a job's outputs go under processed/${jobId}/`);
  }
  return path;
}

/** A file of an experiment lives at a path relative to the experiment, e.g. `frames/f001.tif`. */
export function requireExperimentPath(path: string): string {
  requireRelativePath(path);
  return path;
}

/** The path's segments, once it is known to stay inside the project's file space. */
function requireRelativePath(path: string): string[] {
  const refuse = (message: string) => invalidField('files.path-format', 'path', message);
  if (typeof path !== 'string' || path.length === 0) throw refuse('must not be empty');
  if (path.length > FILE_PATH_MAX_LENGTH) throw refuse(`must be at most ${FILE_PATH_MAX_LENGTH} characters`);
  // Control characters (NUL above all) end or corrupt names in file systems and logs.
  if (/\p{Cc}/u.test(path)) throw refuse('must not contain control characters');
  // A backslash is a separator on Windows: "raw\..\x" must not slip past the segment checks.
  if (path.includes('\\')) throw refuse("must use '/' as the only separator");
  if (path.startsWith('/')) throw refuse('must be relative to the project, not absolute');
  const segments = path.split('/');
  if (segments.some((segment) => segment === '')) throw refuse('must not have empty segments (// or a trailing /)');
  if (segments.some((segment) => segment === '.' || segment === '..')) throw refuse("must not contain '.' or '..' segments");
  return segments;
}
