import { useState } from 'preact/hooks';
import { answer } from '../api/client';
import { useConsole } from './context';
import { Loading } from './layout';
import { ProblemMessage } from './problem';
import { useLoad } from './use-load';

/** A file chosen as a job's input: its id for the service, its path for people. */
export interface ChosenInput {
  fileId: string;
  path: string;
}

export const extensionOf = (path: string) => (path.includes('.') ? path.slice(path.lastIndexOf('.') + 1).toLowerCase() : '');
export const acceptsType = (accepted: string[], path: string) => accepted.includes('*') || accepted.includes(extensionOf(path));
export const typesWords = (accepted: string[]) => (accepted.includes('*') ? 'any file' : accepted.map((type) => `.${type}`).join(', '));

/**
 * "Inputs (verify file types are correct)": the project's files, folder by folder, each of a type the
 * template takes ready to tick, the others shown and disabled with the reason; the chosen ones above,
 * in the order the command receives them, each with its type checked again.
 */
export function InputPicker({ projectId, accepted, chosen, onChange, startFolder = 'raw' }: { projectId: string; accepted: string[]; chosen: ChosenInput[]; onChange(chosen: ChosenInput[]): void; startFolder?: string }) {
  const { api } = useConsole();
  const [folder, setFolder] = useState(startFolder);
  const listing = useLoad(() => answer(api.projects.GET('/api/projects/{id}/files', { params: { path: { id: projectId }, query: { folder, limit: 500 } } })), [projectId, folder]);
  const isChosen = (fileId: string) => chosen.some((input) => input.fileId === fileId);
  const toggle = (input: ChosenInput) => onChange(isChosen(input.fileId) ? chosen.filter((known) => known.fileId !== input.fileId) : [...chosen, input]);
  const crumbs = folder === '' ? [] : folder.split('/');
  return (
    <div class="input-picker">
      <h3>Chosen inputs ({chosen.length})</h3>
      {chosen.length === 0 ? (
        <p class="muted">None yet: pick files below. This template takes {typesWords(accepted)}.</p>
      ) : (
        <ul class="plain-list">
          {chosen.map((input) => (
            <li key={input.fileId}>
              <strong>{input.path}</strong>{' '}
              {acceptsType(accepted, input.path) ? <span class="gains">✓ type .{extensionOf(input.path)} accepted</span> : <span class="losses">✗ type .{extensionOf(input.path)} not accepted</span>}{' '}
              <button type="button" class="button-link" onClick={() => toggle(input)} aria-label={`Remove ${input.path}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <fieldset class="field">
        <legend>Project files in {folder || 'the project'}/ (this template takes {typesWords(accepted)})</legend>
        <nav aria-label="Input folder" class="breadcrumbs">
          <ol>
            <li>
              <button type="button" class="button-link" onClick={() => setFolder('')}>
                All files
              </button>
            </li>
            {crumbs.map((name, index) => (
              <li key={index}>
                <button type="button" class="button-link" onClick={() => setFolder(crumbs.slice(0, index + 1).join('/'))}>
                  {name}
                </button>
              </li>
            ))}
          </ol>
        </nav>
        <ProblemMessage problem={listing.problem} />
        {listing.loading && !listing.data && <Loading what="files" />}
        {listing.data?.folders.map((name) => (
          <div key={name}>
            <button type="button" class="button-link" onClick={() => setFolder(folder ? `${folder}/${name}` : name)}>
              <span aria-hidden="true">📁 </span>
              {name}/
            </button>
          </div>
        ))}
        {listing.data?.items.map((file) => {
          const usable = acceptsType(accepted, file.path);
          return (
            <label key={file.id} class="choice">
              <input type="checkbox" checked={isChosen(file.id)} disabled={!usable && !isChosen(file.id)} onChange={() => toggle({ fileId: file.id, path: file.path })} />
              <span>
                <strong>{file.name}</strong> {usable ? <span class="gains">✓ .{extensionOf(file.path)}</span> : <span class="losses">✗ type .{extensionOf(file.path)} not accepted</span>}
              </span>
            </label>
          );
        })}
        {listing.data && listing.data.folders.length === 0 && listing.data.items.length === 0 && <p class="muted">This folder is empty.</p>}
      </fieldset>
    </div>
  );
}
