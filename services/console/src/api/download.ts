import { answer, type Api } from './client';

/** A file of the project's file space, fetched with the bearer token and saved under its name. */
export async function downloadFile(api: Api, projectId: string, fileId: string, name: string): Promise<void> {
  const blob = await answer(api.projects.GET('/api/projects/{id}/files/{fileId}/content', { params: { path: { id: projectId, fileId } }, parseAs: 'blob' }));
  save(blob as Blob, name);
}

/** The project's signed audit bundle (docs/audit-bundle.md), answering for `at`, saved for `audit verify-bundle`. */
export async function downloadAuditBundle(api: Api, project: string, at: string): Promise<void> {
  const blob = await answer(api.access.GET('/api/audit/access/bundle', { params: { query: { project, at } }, parseAs: 'blob' }));
  save(blob as Blob, `audit-bundle-${project}.json`);
}

/** A job's RO-Crate with its outputs, as one zip (`GET /api/jobs/:id/ro-crate`). */
export async function downloadJobCrate(api: Api, jobId: string): Promise<void> {
  const blob = await answer(api.projects.GET('/api/jobs/{id}/ro-crate', { params: { path: { id: jobId } }, parseAs: 'blob' }));
  save(blob as Blob, `cairn-job-${jobId}-ro-crate.zip`);
}

/** What the browser does with a link to a file: it saves it under the name given. */
function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  Object.assign(document.createElement('a'), { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
