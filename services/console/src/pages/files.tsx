import { useState } from 'preact/hooks';
import { answer, type ProjectsSchemas } from '../api/client';
import { downloadFile } from '../api/download';
import { uploadFile } from '../api/upload';
import { Link, useLocation } from '../router';
import { useConsole } from '../ui/context';
import { FilePreview, isPicture, isPreviewable } from '../ui/file-preview';
import { Table } from '../ui/table';
import { Button, Field } from '../ui/forms';
import { Card, Empty, Loading, Time } from '../ui/layout';
import { usePeople } from '../ui/people';
import { ProblemMessage } from '../ui/problem';
import { useAction, useLoad } from '../ui/use-load';
import { bytes } from '../words';
import { hasCapability, type ProjectPage } from './project-shell';

type FileEntry = ProjectsSchemas['FileDto'];
type DeletionRequest = ProjectsSchemas['DeletionRequestDto'];

/** Uploads into the folder shown (under raw/), one or more files, each with its own progress bar. */
function UploadForm({ project, folder, onUploaded }: { project: ProjectPage; folder: string; onUploaded(): Promise<void> }) {
  const { api } = useConsole();
  const [files, setFiles] = useState<File[]>([]);
  const [progress, setProgress] = useState<Record<string, number>>({});
  // A new key empties the file input once its files are uploaded.
  const [picker, setPicker] = useState(0);
  const target = folder.startsWith('raw') ? folder : 'raw';
  const upload = useAction(async () => {
    for (const file of files) {
      await uploadFile(api, project.id, `${target}/${file.name}`, file, (fraction) => setProgress((known) => ({ ...known, [file.name]: fraction })));
    }
    setFiles([]);
    setProgress({});
    setPicker((key) => key + 1);
    await onUploaded();
  });
  return (
    <form
      class="upload"
      onSubmit={(event) => {
        event.preventDefault();
        void upload.run();
      }}
    >
      <Field label={`Upload into ${target}/`} hint="Uploads go to raw/; each job writes its own processed/<job>/ folder.">
        {(control) => <input {...control} key={picker} type="file" multiple onChange={(event) => setFiles([...(event.currentTarget.files ?? [])])} />}
      </Field>
      {files.map((file) => (
        <div key={file.name} class="upload-progress">
          <label for={`progress-${file.name}`}>
            {file.name} <span class="muted">({bytes(file.size)})</span>
          </label>
          <progress id={`progress-${file.name}`} max={1} value={progress[file.name] ?? 0}>
            {Math.round((progress[file.name] ?? 0) * 100)}%
          </progress>
        </div>
      ))}
      <ProblemMessage problem={upload.problem} />
      <Button type="submit" variant="primary" busy={upload.busy} disabled={files.length === 0}>
        Upload
      </Button>
    </form>
  );
}

/** "Never your own": a request is decided by someone else, with the capability for its scope. */
function Inbox({ project, requests, onDecided }: { project: ProjectPage; requests: DeletionRequest[]; onDecided(): Promise<void> }) {
  const { api, session } = useConsole();
  const { nameOf } = usePeople(project.lab);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const decide = useAction(async (request: DeletionRequest, decision: 'approve' | 'reject') => {
    const path = { path: { id: request.id } };
    if (decision === 'approve') await answer(api.projects.POST('/api/deletion-requests/{id}/approve', { params: path }));
    else await answer(api.projects.POST('/api/deletion-requests/{id}/reject', { params: path, body: reasons[request.id]?.trim() ? { reason: reasons[request.id].trim() } : {} }));
    await onDecided();
  });
  const pending = requests.filter((request) => request.status === 'pending');
  const decided = requests.filter((request) => request.status !== 'pending').slice(-5).reverse();
  return (
    <Card title={`Deletion requests${pending.length ? ` (${pending.length} waiting)` : ''}`} id="inbox">
      <ProblemMessage problem={decide.problem} />
      {pending.length === 0 && <Empty>No deletion request is waiting.</Empty>}
      <ul class="requests">
        {pending.map((request) => {
          const mine = request.requestedBy === session.person.userId;
          const mayDecide = hasCapability(project, request.scope === 'raw' ? 'deletion.approve.raw' : 'deletion.approve.processed');
          return (
            <li key={request.id} class="request">
              <p>
                <strong>{nameOf(request.requestedBy)}</strong> asks to delete {request.files.map((file) => file.path).join(', ')} <span class="badge badge-quiet">{request.scope}</span> <Time iso={request.requestedAt} />
              </p>
              <p class="muted">“{request.reason}”</p>
              {mine ? (
                <p class="muted small">Your own request: someone else decides it.</p>
              ) : mayDecide ? (
                <div class="inline-form">
                  <Field label="Reason for rejecting (optional)">
                    {(control) => <input {...control} value={reasons[request.id] ?? ''} onInput={(event) => setReasons({ ...reasons, [request.id]: event.currentTarget.value })} />}
                  </Field>
                  <Button variant="danger" busy={decide.busy} onClick={() => void decide.run(request, 'approve')} aria-label={`Approve deleting ${request.files.map((file) => file.path).join(', ')}`}>
                    Approve
                  </Button>
                  <Button busy={decide.busy} onClick={() => void decide.run(request, 'reject')} aria-label={`Reject deleting ${request.files.map((file) => file.path).join(', ')}`}>
                    Reject
                  </Button>
                </div>
              ) : (
                <p class="muted small">Your role cannot decide {request.scope} deletions.</p>
              )}
            </li>
          );
        })}
      </ul>
      {decided.length > 0 && (
        <>
          <h3>Recently decided</h3>
          <ul class="plain-list">
            {decided.map((request) => (
              <li key={request.id}>
                {request.files.map((file) => file.path).join(', ')}: {request.status} by {nameOf(request.decidedBy)} <Time iso={request.decidedAt} />
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}

/** The project's file space: raw/ uploads and processed/<job>/ outputs, download, and four-eyes deletion. */
export function FilesPage({ project }: { project: ProjectPage }) {
  const { api } = useConsole();
  const { nameOf } = usePeople(project.lab);
  const { query } = useLocation();
  const folder = query.get('folder') ?? '';
  const base = `/labs/${project.lab}/projects/${project.slug}/files`;
  const listing = useLoad(() => answer(api.projects.GET('/api/projects/{id}/files', { params: { path: { id: project.id }, query: { folder, limit: 500 } } })), [project.id, folder]);
  const requests = useLoad(() => answer(api.projects.GET('/api/projects/{id}/deletion-requests', { params: { path: { id: project.id }, query: { limit: 500 } } })), [project.id]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const files = listing.data?.items ?? [];
  const chosen = files.filter((file) => selected.has(file.id));
  const raw = chosen.some((file) => file.kind === 'raw');
  const mayRequest = chosen.length > 0 && hasCapability(project, raw ? 'deletion.request.raw' : 'deletion.request.processed');
  const request = useAction(async () => {
    await answer(api.projects.POST('/api/projects/{id}/deletion-requests', { params: { path: { id: project.id } }, body: { fileIds: chosen.map((file) => file.id), reason } }));
    setSelected(new Set());
    setReason('');
    await requests.reload();
  });
  const download = useAction((file: FileEntry) => downloadFile(api, project.id, file.id, file.name));
  const crumbs = folder === '' ? [] : folder.split('/');
  const mayRun = hasCapability(project, 'jobs.run');
  const [previewed, setPreviewed] = useState<FileEntry | undefined>();
  const shownPreview = previewed && files.some((file) => file.id === previewed.id) ? previewed : undefined;
  return (
    <div class="columns">
      <div class="column-main">
        <Card title={folder === '' ? 'All files' : `In ${folder}/`}>
          <nav aria-label="Folder" class="breadcrumbs">
            <ol>
              <li>
                <Link href={base}>All files</Link>
              </li>
              {crumbs.map((name, index) => {
                const path = crumbs.slice(0, index + 1).join('/');
                return (
                  <li key={path}>
                    {index === crumbs.length - 1 ? (
                      <span aria-current="location">{name}</span>
                    ) : (
                      <Link href={`${base}?folder=${encodeURIComponent(path)}`}>{name}</Link>
                    )}
                  </li>
                );
              })}
            </ol>
          </nav>
          <ProblemMessage problem={listing.problem ?? download.problem} />
          {listing.loading && !listing.data && <Loading what="files" />}
          {listing.data && listing.data.folders.length === 0 && files.length === 0 && <Empty>{folder === '' ? 'No files yet: upload into raw/.' : 'This folder is empty.'}</Empty>}
          {listing.data && (listing.data.folders.length > 0 || files.length > 0) && (
            <Table caption={`Folders and files in ${folder || 'the project'}`} columns={[{ label: 'Select', hidden: true, class: 'select' }, 'Name', 'Size', 'Added', { label: 'Download', hidden: true }]}>
                {listing.data.folders.map((name) => {
                  const path = folder ? `${folder}/${name}` : name;
                  return (
                    <tr key={`folder-${path}`}>
                      <td class="select" />
                      <td>
                        <span aria-hidden="true">📁 </span>
                        <Link href={`${base}?folder=${encodeURIComponent(path)}`}>{name}/</Link>
                        {folder === 'processed' && <span class="muted small"> job output</span>}
                      </td>
                      <td>—</td>
                      <td>—</td>
                      <td />
                    </tr>
                  );
                })}
                {files.map((file) => (
                  <tr key={file.id} class={selected.has(file.id) ? 'selected' : ''}>
                    <td class="select">
                      <input
                        type="checkbox"
                        aria-label={`Select ${file.name}`}
                        checked={selected.has(file.id)}
                        onChange={() => {
                          const next = new Set(selected);
                          if (next.has(file.id)) next.delete(file.id);
                          else next.add(file.id);
                          setSelected(next);
                        }}
                      />
                    </td>
                    <td>
                      {file.name}
                      {file.jobId && <div class="muted small">output of job {file.jobId.slice(0, 8)}</div>}
                    </td>
                    <td>{bytes(file.size)}</td>
                    <td>
                      {nameOf(file.addedBy)}, <Time iso={file.addedAt} />
                    </td>
                    <td class="actions">
                      {isPreviewable(file.name) && (
                        <Button variant="quiet" onClick={() => setPreviewed(file)} aria-label={`Preview ${file.name}`} aria-pressed={previewed?.id === file.id}>
                          Preview
                        </Button>
                      )}
                      <Button variant="quiet" onClick={() => void download.run(file)} aria-label={`Download ${file.name}`}>
                        Download
                      </Button>
                      {mayRun && (
                        <Link class="button button-quiet" href={`/labs/${project.lab}/projects/${project.slug}/jobs/run?${new URLSearchParams({ input: file.id, path: file.path })}`} aria-label={`Run a job on ${file.name}`}>
                          Run a job
                        </Link>
                      )}
                    </td>
                  </tr>
                ))}
              </Table>
          )}
          {chosen.length > 0 && (
            <form
              class="inline-form deletion-form"
              onSubmit={(event) => {
                event.preventDefault();
                void request.run();
              }}
            >
              <Field label={`Why delete ${chosen.length} file${chosen.length === 1 ? '' : 's'}?`} hint={raw ? 'Raw data: a manager asks, the owner approves.' : 'Processed data: a member asks, a manager approves.'}>
                {(control) => <input {...control} value={reason} required onInput={(event) => setReason(event.currentTarget.value)} />}
              </Field>
              <Button type="submit" variant="danger" busy={request.busy} disabled={!mayRequest}>
                Request deletion
              </Button>
              {!mayRequest && <span class="muted small">Your role cannot request deleting {raw ? 'raw' : 'processed'} data.</span>}
            </form>
          )}
          <ProblemMessage problem={request.problem} />
        </Card>
        {shownPreview && (
          <Card
            title={`Preview of ${shownPreview.name}`}
            id="preview"
            actions={
              <>
                <Button onClick={() => void download.run(shownPreview)}>{isPicture(shownPreview.name) ? 'Download' : 'Download all'}</Button>
                <Button variant="quiet" onClick={() => setPreviewed(undefined)}>
                  Close preview
                </Button>
              </>
            }
          >
            <FilePreview key={shownPreview.id} projectId={project.id} file={shownPreview} />
          </Card>
        )}
        {hasCapability(project, 'files.upload') && (
          <Card title="Upload">
            <UploadForm project={project} folder={folder} onUploaded={() => listing.reload()} />
          </Card>
        )}
      </div>
      <aside class="column-side" aria-label="Deletion requests">
        <Inbox
          project={project}
          requests={requests.data?.items ?? []}
          onDecided={async () => {
            await requests.reload();
            await listing.reload();
          }}
        />
      </aside>
    </div>
  );
}
