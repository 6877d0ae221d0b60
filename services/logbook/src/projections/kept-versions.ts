import type { WriteIntent } from '@cairn/read-models';
import type { Document } from 'mongodb';

/** Every version of an entry or a comment is kept whole beside it, as `<id>/<version>`. */
export const keptVersionId = (id: string, version: number) => `${id}/${version}`;

/** The write that keeps version `version` of `id` as `document`. */
export function keepVersion(id: string, version: number, position: number, document: Document): WriteIntent {
  return { kind: 'replace', id: keptVersionId(id, version), position, document };
}
