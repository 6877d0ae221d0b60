import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { DevTokenVerifier } from '@cairn/auth';

export interface StoredFile {
  id: string;
  projectId: string;
  path: string;
  bytes: Buffer;
  sha256: string;
  /** The `Cairn-Min-Position` the upload or download was sent with. */
  minPosition?: string;
}

/**
 * The two routes of the projects service's file API a runner calls, over real HTTP: download a file's
 * content and upload a multipart file with its `path`. It answers like the projects service
 * (problem+json errors, the recorded file on 201) and keeps what it was sent.
 */
export class FakeFileApi {
  readonly files = new Map<string, StoredFile>();
  readonly uploads: StoredFile[] = [];
  readonly downloads: { fileId: string; minPosition?: string }[] = [];
  failUploads = false;
  private server?: Server;
  private readonly verifier: DevTokenVerifier;

  constructor(secret: string) {
    this.verifier = new DevTokenVerifier({ secret });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: Error) => problem(response, 500, error.message));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** A project file the runner may download. */
  put(projectId: string, path: string, content: string | Buffer): StoredFile {
    const bytes = Buffer.from(content);
    const file = { id: randomUUID(), projectId, path, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    this.files.set(file.id, file);
    return file;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      await this.verifier.verify((request.headers.authorization ?? '').replace(/^Bearer /, ''));
    } catch {
      return problem(response, 401, 'a runner token is needed');
    }
    const minPosition = request.headers['cairn-min-position'] as string | undefined;
    const content = /^\/api\/projects\/([^/]+)\/files\/([^/]+)\/content$/.exec(request.url ?? '');
    if (request.method === 'GET' && content) {
      const file = this.files.get(decodeURIComponent(content[2]));
      this.downloads.push({ fileId: decodeURIComponent(content[2]), ...(minPosition ? { minPosition } : {}) });
      if (!file || file.projectId !== decodeURIComponent(content[1])) return problem(response, 404, `no file ${content[2]} in the project's file space`);
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length });
      response.end(file.bytes);
      return;
    }
    const upload = /^\/api\/projects\/([^/]+)\/files$/.exec(request.url ?? '');
    if (request.method === 'POST' && upload) {
      if (this.failUploads) return problem(response, 500, 'the blob store is full');
      const form = await new Request('http://fake/upload', {
        method: 'POST',
        headers: request.headers as Record<string, string>,
        body: Readable.toWeb(request) as ReadableStream,
        duplex: 'half',
      } as RequestInit).formData();
      const path = form.get('path');
      const part = form.get('file');
      if (typeof path !== 'string' || !(part instanceof Blob)) return problem(response, 400, 'path and file are needed');
      const file = { ...this.put(decodeURIComponent(upload[1]), path, Buffer.from(await part.arrayBuffer())), ...(minPosition ? { minPosition } : {}) };
      this.uploads.push(file);
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: file.id, path, folder: path.split('/').slice(0, -1).join('/'), name: path.split('/').pop(), kind: 'processed', size: file.bytes.length, sha256: file.sha256 }));
      return;
    }
    problem(response, 404, 'no such route');
  }
}

function problem(response: ServerResponse, status: number, detail: string): void {
  response.writeHead(status, { 'content-type': 'application/problem+json' });
  response.end(JSON.stringify({ type: 'about:blank', title: detail, status, detail }));
}
