import { StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import type { Readable } from 'node:stream';

/** A stored file's bytes as an attachment, its checksum as the ETag. */
export function asAttachment(response: Response, file: { name: string; size: number; sha256: string }, content: Readable): StreamableFile {
  response.setHeader('ETag', `"${file.sha256}"`);
  return new StreamableFile(content, {
    type: 'application/octet-stream',
    length: file.size,
    disposition: `attachment; filename="${file.name.replace(/["\\\r\n]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
  });
}
