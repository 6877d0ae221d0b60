import { ProblemError, type Api, type Problem, type ProjectsSchemas } from './client';

export type UploadedFile = ProjectsSchemas['FileDto'];

/**
 * `POST /api/projects/{id}/files` (multipart: `path`, then `file`) through XMLHttpRequest, the one
 * browser API that reports upload progress; the answer is the FileDto the typed client declares.
 */
export function uploadFile(api: Api, projectId: string, path: string, file: Blob, onProgress: (fraction: number) => void): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${api.baseUrl}/api/projects/${encodeURIComponent(projectId)}/files`);
    for (const [name, value] of Object.entries(api.headers('application/json'))) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      api.observe(request.getResponseHeader('Cairn-Position'));
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      if (request.status >= 200 && request.status < 300) {
        onProgress(1);
        resolve(body as UploadedFile);
      } else {
        const problem = (body as Problem | undefined) ?? { type: 'about:blank', title: 'Upload failed', status: request.status, detail: `The upload answered ${request.status}.` };
        reject(new ProblemError(problem));
      }
    };
    request.onerror = () => reject(new Error('the upload was interrupted'));
    const form = new FormData();
    // The service reads the path before the file's bytes.
    form.append('path', path);
    form.append('file', file, path.split('/').pop());
    request.send(form);
  });
}
