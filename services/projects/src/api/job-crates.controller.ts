import { Controller, Get, Param, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@cairn/auth';
import { CurrentPrincipal, MinPosition } from '@cairn/http';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { FilesService } from '../application/files.service';
import { zipStream } from './zip-stream';

/**
 * A job's Process Run Crate with its outputs, as one zip: the job's output folder, which its runner
 * left with `ro-crate-metadata.json` at the root. Served here because the bytes are the file space's;
 * the edge routes `/api/jobs/:id/ro-crate` to this service.
 */
@ApiTags('files')
@ApiBearerAuth()
@Controller()
export class JobCratesController {
  constructor(private readonly files: FilesService) {}

  @Get('jobs/:id/ro-crate')
  @ApiProduces('application/zip')
  @ApiOkResponse({
    schema: { type: 'string', format: 'binary' },
    description:
      "The job's RO-Crate (Process Run Crate 0.5) as a zip: ro-crate-metadata.json, the outputs and the job's log. It names the people involved by username and display name. 404 for a job one may not read, and for one without a crate (running, or cancelled before a runner took it).",
  })
  async crate(@CurrentPrincipal() principal: Principal, @Param('id') jobId: string, @Res({ passthrough: true }) response: Response, @MinPosition() minPosition?: number) {
    const entries = await this.files.jobCrateFiles(principal, jobId, minPosition);
    response.setHeader('Cache-Control', 'no-store');
    return new StreamableFile(Readable.from(zipStream(entries)), {
      type: 'application/zip',
      disposition: `attachment; filename="cairn-job-${jobId.replace(/[^A-Za-z0-9_-]/g, '_')}-ro-crate.zip"`,
    });
  }
}
