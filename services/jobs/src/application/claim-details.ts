import type { JobEnvironment, JobProvenance, JobSandbox } from '@cairn/contracts';
import type { ReadModelCollections } from '@cairn/read-models';
import { PROJECT_FILES, type ProjectFileDocument } from '../projections';
import type { JobRecord } from './job-record';
import type { Person } from './jobs.service';
import type { TemplatesService } from './templates.service';

/** What a claim's assignment carries beyond the job's request: what the pinned version asks of the sandbox and the site, and the record its crate tells. */
export interface ClaimDetails {
  sandbox?: JobSandbox;
  environment?: JobEnvironment;
  provenance: JobProvenance;
}

/**
 * The details of a claimed job, from the pinned template version (a version never changes, so reading
 * it at the claim is reading it at the request), the directory, and the input files' digests.
 */
export function claimDetailsFrom(templates: TemplatesService, collections: ReadModelCollections, personOf: (userId: string) => Person) {
  return async (record: JobRecord): Promise<ClaimDetails> => {
    const { request } = record;
    const pinned = (await templates.versionsOf(request.template.name)).versions.get(request.template.version);
    const files = await collections.resolve<ProjectFileDocument>(PROJECT_FILES);
    // One `_id` lookup per file: the only query FerretDB answers from an index.
    const inputs = await Promise.all(
      request.inputs.map(async ({ fileId }) => {
        const file = await files.findOne({ _id: fileId });
        return { fileId, ...(file?.sha256 !== undefined && { sha256: file.sha256, size: file.size }) };
      }),
    );
    return {
      ...(pinned?.sandbox && { sandbox: pinned.sandbox }),
      ...(pinned?.environment && { environment: pinned.environment }),
      provenance: {
        requestedAt: record.requestedAt,
        startedAt: record.startedAt ?? new Date().toISOString(),
        triggeredBy: personOf(request.triggeredBy),
        template: { description: pinned?.description ?? '', parameters: pinned?.parameters ?? {} },
        inputs,
        ...(request.rerunOf !== undefined && { rerunOf: request.rerunOf }),
        rootJobId: request.rootJobId,
      },
    };
  };
}
