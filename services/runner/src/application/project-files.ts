import { openAsBlob } from 'node:fs';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { RunnerCredentials } from './credentials';

/** A file as the projects service recorded it after an upload. */
export interface UploadedFile {
  fileId: string;
  path: string;
  size: number;
  sha256: string;
}

/** A download or upload the projects service did not complete. */
export class FileTransferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileTransferError';
  }
}

/** Tries of one transfer: the projects service answers 503 while its view of the claim is still behind. */
const ATTEMPTS = 5;
const RETRY_PAUSE_MS = 500;
/**
 * A service that has not answered a request within this long (an upload's body included) is taken as
 * hung: neither staging nor uploading is under the job's time limit, so without it a job could hang.
 */
const ANSWER_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * The projects service's file API, as a runner uses it: download a job's inputs and upload its outputs
 * with the runner token, each call waiting (`Cairn-Min-Position`) for the claim that lets it do so.
 */
export class ProjectFiles {
  constructor(
    private readonly apiUrl: string,
    private readonly credentials: RunnerCredentials,
  ) {}

  async download(projectId: string, fileId: string, position: number): Promise<Readable> {
    const url = `${this.apiUrl}/api/projects/${encodeURIComponent(projectId)}/files/${encodeURIComponent(fileId)}/content`;
    const response = await this.send(`download of file ${fileId}`, async () => new Request(url, { headers: await this.headers(position) }));
    if (!response.body) throw new FileTransferError(`download of file ${fileId}: the answer has no body`);
    return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  }

  async upload(projectId: string, path: string, localPath: string, position: number): Promise<UploadedFile> {
    const url = `${this.apiUrl}/api/projects/${encodeURIComponent(projectId)}/files`;
    const response = await this.send(`upload of ${path}`, async () => {
      const form = new FormData();
      // The projects service checks the path before it stores a byte, so it comes first.
      form.append('path', path);
      form.append('file', await openAsBlob(localPath, { type: 'application/octet-stream' }), posix.basename(path));
      return new Request(url, { method: 'POST', headers: await this.headers(position), body: form });
    });
    const file = (await response.json()) as { id?: unknown; path?: unknown; size?: unknown; sha256?: unknown };
    if (typeof file.id !== 'string' || typeof file.size !== 'number' || typeof file.sha256 !== 'string') {
      throw new FileTransferError(`upload of ${path}: the projects service answered without the file's id, size and sha256`);
    }
    return { fileId: file.id, path: typeof file.path === 'string' ? file.path : path, size: file.size, sha256: file.sha256 };
  }

  private async headers(position: number): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.credentials.bearer()}`, 'cairn-min-position': String(position) };
  }

  /** A fresh request per try (a body is read once); retried on 503 and on network errors. */
  private async send(what: string, request: () => Promise<Request>): Promise<Response> {
    let failure = '';
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      let response: Response;
      const hung = new AbortController();
      const timer = setTimeout(() => hung.abort(new Error(`no answer within ${ANSWER_TIMEOUT_MS / 1000} s`)), ANSWER_TIMEOUT_MS);
      try {
        response = await fetch(await request(), { signal: hung.signal });
      } catch (error) {
        failure = `the projects service could not be reached (${(error as Error).message})`;
        await pause(RETRY_PAUSE_MS * attempt);
        continue;
      } finally {
        // The body of a download streams on after the answer, however long it takes.
        clearTimeout(timer);
      }
      if (response.ok) return response;
      failure = `${response.status} ${await problemOf(response)}`;
      if (response.status !== 503) break;
      await pause(Math.min(5_000, Math.max(RETRY_PAUSE_MS, Number(response.headers.get('retry-after')) * 1000 || 0)));
    }
    throw new FileTransferError(`${what} failed: ${failure}`);
  }
}

async function problemOf(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const problem = JSON.parse(text) as { detail?: unknown; title?: unknown };
    return String(problem.detail ?? problem.title ?? text).slice(0, 300);
  } catch {
    return text.slice(0, 300) || response.statusText;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
