import { conflict, notFound } from '@cairn/contracts';
import type { Collection, Db } from 'mongodb';
import { v7 as uuidv7 } from 'uuid';
import { canonicalJson, type UserAccessChange } from '../domain';
import type { AccessChange } from './project-access.service';

export interface AccessPreview {
  projectId: string;
  actor: string;
  /** People named by user id. */
  change: AccessChange;
  /** The access stream's version the preview was computed on. */
  version: number;
  effects: UserAccessChange[];
}

interface PreviewDocument extends AccessPreview {
  _id: string;
  createdAt: Date;
}

/** Long enough to look a preview over and decide; the evidence lives on in the event that cites it. */
const RETENTION_SECONDS = 24 * 60 * 60;

/**
 * Dry runs of access changes (`POST .../access/preview`), kept so that the change made afterwards can
 * cite one (`previewId`) as evidence of what its actor saw before deciding. A change may cite only a
 * preview of itself, by the same actor, on the access as it still is.
 */
export class AccessPreviews {
  private constructor(private readonly previews: Collection<PreviewDocument>) {}

  static async open(db: Db): Promise<AccessPreviews> {
    const previews = db.collection<PreviewDocument>('access_previews');
    // MongoDB removes expired previews itself; FerretDB has no TTL indexes (the index is refused there),
    // so expiry is also checked on use.
    await previews.createIndex({ createdAt: 1 }, { expireAfterSeconds: RETENTION_SECONDS }).catch(() => undefined);
    return new AccessPreviews(previews);
  }

  async record(preview: AccessPreview): Promise<string> {
    const id = uuidv7();
    await this.previews.insertOne({ _id: id, ...preview, createdAt: new Date() });
    return id;
  }

  /** Refuses unless `previewId` previewed exactly `change`, by its actor, on the project's access as it is now. */
  async requireEvidence(previewId: string, change: Omit<AccessPreview, 'effects'>): Promise<void> {
    const preview = await this.previews.findOne({ _id: previewId });
    const expired = preview !== null && Date.now() - preview.createdAt.getTime() > RETENTION_SECONDS * 1000;
    if (!preview || expired || preview.projectId !== change.projectId) {
      throw notFound('access.preview-unknown', `there is no preview ${previewId} of project ${change.projectId} (previews are kept ${RETENTION_SECONDS / 3600} hours) (rule access.preview-unknown)`);
    }
    if (preview.actor !== change.actor || canonicalJson(preview.change) !== canonicalJson(change.change)) {
      throw conflict(
        'access.preview-mismatch',
        `preview ${previewId} is of another change (${canonicalJson(preview.change)} by ${preview.actor}); a change cites only a preview of itself by its own actor (rule access.preview-mismatch)`,
      );
    }
    if (preview.version !== change.version) {
      throw conflict(
        'access.preview-stale',
        `the project's access changed after preview ${previewId} was made, so it no longer shows what this change does; preview again (rule access.preview-stale)`,
      );
    }
  }
}
