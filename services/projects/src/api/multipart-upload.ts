import { BadRequestException, HttpException, PayloadTooLargeException } from '@nestjs/common';
import { DomainError } from '@cairn/contracts';
import { problem } from '@cairn/http';
import type { Request, Response } from 'express';
import multer, { MulterError, type StorageEngine } from 'multer';
import type { Readable } from 'node:stream';
import { BlobTooLargeError } from '../application/blob-store';
import type { ReceivedBlob } from '../application/files.service';

export interface UploadHandling {
  maxBytes: number;
  /** Refuses a bad path before any byte is stored. */
  checkPath(path: string): void | Promise<void>;
  receive(content: Readable): Promise<ReceivedBlob>;
  discard(fileId: string): Promise<void>;
}

type ReceivedFile = Express.Multer.File & { received?: ReceivedBlob };

const tooLarge = (maxBytes: number) =>
  new PayloadTooLargeException(problem(413, `The file is larger than the limit of ${maxBytes} bytes.`, { rule: 'files.too-large', maxBytes }));

/** Multipart framing, part headers and the small `path` field never take more than this beside the file. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

const badUpload = (detail: string, field: string, message: string) =>
  new BadRequestException(problem(400, detail, { rule: 'files.multipart', errors: [{ field, message }] }));

/**
 * Reads `multipart/form-data` with a `path` field followed by one `file` part, streaming the file into
 * the blob store as it arrives (never into memory). Past `maxBytes` the upload is refused with 413 and
 * nothing stays stored.
 */
export function receiveUpload(request: Request, response: Response, handling: UploadHandling): Promise<{ path: string; received: ReceivedBlob }> {
  // A body declared larger than any allowed upload is refused before a byte of it is read.
  const declared = Number(request.headers['content-length']);
  if (declared > handling.maxBytes + MULTIPART_OVERHEAD_BYTES) return Promise.reject(tooLarge(handling.maxBytes));
  // The store's own failures stay server errors; every other failure of the upload is the body's framing.
  const storeFailures = new WeakSet<object>();
  const storage: StorageEngine = {
    _handleFile(req, file, callback) {
      const path = (req.body as Record<string, unknown> | undefined)?.path;
      if (typeof path !== 'string') {
        return callback(badUpload('Send the path field before the file part.', 'path', 'must come before the file part'));
      }
      let framingError: Error | undefined;
      file.stream.once('error', (error: Error) => (framingError = error));
      // A refused path is the client's; only what happens while the bytes are stored can be the store's.
      Promise.resolve()
        .then(() => handling.checkPath(path))
        .then(
          () =>
            handling.receive(file.stream).then(
              (received) => callback(null, { received } as Partial<ReceivedFile>),
              (error: Error) => {
                if (!framingError) storeFailures.add(error);
                callback(framingError ?? error);
              },
            ),
          (error: Error) => callback(error),
        );
    },
    _removeFile(_req, file, callback) {
      const { received } = file as ReceivedFile;
      if (!received) return callback(null);
      handling.discard(received.fileId).then(() => callback(null), callback);
    },
  };
  const upload = multer({ storage, limits: { fileSize: handling.maxBytes, files: 1, fields: 4, fieldSize: 4096 } }).single('file');
  return new Promise((resolve, reject) => {
    upload(request, response, (error: unknown) => {
      if (error) return reject(storeFailures.has(error as object) ? error : translate(error, handling.maxBytes));
      const file = request.file as ReceivedFile | undefined;
      const path = (request.body as Record<string, unknown> | undefined)?.path;
      if (!file?.received) return reject(badUpload('A multipart/form-data body with a file part named "file" is needed.', 'file', 'is required'));
      resolve({ path: String(path), received: file.received });
    });
  });
}

/**
 * An upload's failure as the client should hear it. Refusals made here or by the domain keep their
 * answer; what else the multipart reader throws (no boundary, a boundary never closed, a malformed part
 * header, a body cut short) is the body's fault: 400.
 */
function translate(error: unknown, maxBytes: number): unknown {
  if (error instanceof BlobTooLargeError) return tooLarge(maxBytes);
  if (error instanceof MulterError) {
    if (error.code === 'LIMIT_FILE_SIZE') return tooLarge(maxBytes);
    return badUpload(`The multipart body was refused: ${error.message}.`, error.field ?? 'file', error.message);
  }
  if (error instanceof HttpException || error instanceof DomainError || !(error instanceof Error)) return error;
  return badUpload(`The multipart body is malformed: ${error.message}.`, 'body', error.message);
}
