import { useEffect, useState } from 'preact/hooks';
import { answer, type Api } from '../api/client';
import { useConsole } from './context';
import { Loading } from './layout';
import { ProblemMessage } from './problem';
import { svgAsPng } from './svg-picture';
import { useLoad } from './use-load';

const PICTURES = /\.(svg|png|jpe?g|gif|webp)$/i;
const TEXTS = /\.(txt|csv|tsv|log|json|md|xyz|pdb|out|err|yaml|yml)$/i;
/** How much of a text file its preview shows: the first part, the rest by downloading it. */
export const TEXT_PREVIEW_BYTES = 64 * 1024;

export const isPicture = (name: string) => PICTURES.test(name);
export const isPreviewable = (name: string) => PICTURES.test(name) || TEXTS.test(name);

/** A file's content, or its first `firstBytes` only. */
async function contentOf(api: Api, projectId: string, fileId: string, firstBytes?: number): Promise<Blob> {
  const blob = (await answer(api.projects.GET('/api/projects/{id}/files/{fileId}/content', { params: { path: { id: projectId, fileId } }, parseAs: 'blob' }))) as Blob;
  return firstBytes ? blob.slice(0, firstBytes) : blob;
}

/**
 * A picture file through an `<img>` only; an SVG as the pixels it draws (`svgAsPng`), so that opening
 * the picture cannot run a script in the console.
 */
export function FilePicture({ projectId, fileId, name, alt }: { projectId: string; fileId: string; name: string; alt: string }) {
  const { api } = useConsole();
  const [url, setUrl] = useState<string | undefined>();
  useEffect(() => {
    let objectUrl: string | undefined;
    void (async () => {
      const blob = await contentOf(api, projectId, fileId);
      objectUrl = URL.createObjectURL(name.toLowerCase().endsWith('.svg') ? await svgAsPng(blob) : blob);
      setUrl(objectUrl);
    })().catch(() => undefined);
    return () => objectUrl && URL.revokeObjectURL(objectUrl);
  }, [fileId]);
  return url ? <img class="output-picture" src={url} alt={alt} /> : null;
}

/** The first part of a text, CSV or log file, as text (never as HTML), saying when there is more. */
function TextPreview({ projectId, fileId, name, size }: { projectId: string; fileId: string; name: string; size: number }) {
  const { api } = useConsole();
  const text = useLoad(async () => (await contentOf(api, projectId, fileId, TEXT_PREVIEW_BYTES)).text(), [fileId]);
  return (
    <>
      <ProblemMessage problem={text.problem} />
      {text.loading && !text.data && <Loading what={name} />}
      {text.data !== undefined && (
        <>
          <pre class="log file-text" tabIndex={0} aria-label={`Text of ${name}`}>
            {text.data}
          </pre>
          {size > TEXT_PREVIEW_BYTES && <p class="muted small">The first {TEXT_PREVIEW_BYTES / 1024} KB of the file: download it for all of it.</p>}
        </>
      )}
    </>
  );
}

/** "Folders to look into": a picture shown, a text's first part, beside downloading the file. */
export function FilePreview({ projectId, file }: { projectId: string; file: { id: string; name: string; size: number } }) {
  return isPicture(file.name) ? (
    <FilePicture projectId={projectId} fileId={file.id} name={file.name} alt={`Preview of ${file.name}`} />
  ) : (
    <TextPreview projectId={projectId} fileId={file.id} name={file.name} size={file.size} />
  );
}
