import { HttpException } from '@nestjs/common';
import { DomainError } from '@cairn/contracts';
import { problem } from '@cairn/http';
import type { Response } from 'express';
import { invalidField } from '../domain';

/** An entry's strong ETag: its version. */
export const etagOf = (version: number) => `"${version}"`;

/** The version a revision was made against, and where the caller said it (which decides 412 or 409). */
export interface ExpectedVersion {
  version: number;
  from: 'If-Match' | 'expectedVersion';
}

/** The ETag as sent (`"3"`), or the bare version API.md writes (`If-Match: 3`); never a weak one. */
const VERSION_TAG = /^(?:"([1-9][0-9]{0,14})"|([1-9][0-9]{0,14}))$/;

/** `If-Match: "<version>"` or `expectedVersion` in the body: one of them, and the same if both. */
export function expectedVersionOf(ifMatch: string | undefined, expectedVersion: number | undefined): ExpectedVersion {
  if (ifMatch !== undefined) {
    const match = VERSION_TAG.exec(ifMatch.trim());
    if (!match) throw invalidVersion('If-Match', 'must be the entry\'s ETag, e.g. "3"');
    const version = Number(match[1] ?? match[2]);
    if (expectedVersion !== undefined && expectedVersion !== version) throw invalidVersion('expectedVersion', 'differs from If-Match');
    return { version, from: 'If-Match' };
  }
  if (expectedVersion === undefined) throw invalidVersion('expectedVersion', 'give the version you revised, or send If-Match with its ETag');
  return { version: expectedVersion, from: 'expectedVersion' };
}

/**
 * A stale version answers with the current one, as ETag and in the body: 412 when it came as `If-Match`
 * (a failed HTTP precondition), the domain's 409 when it came as `expectedVersion`.
 */
export function answerStaleVersion(error: unknown, expected: ExpectedVersion, response: Response): never {
  if (!(error instanceof DomainError) || error.rule !== 'logbook.entry-version-stale') throw error;
  response.setHeader('ETag', etagOf(Number(error.details?.currentVersion)));
  if (expected.from === 'expectedVersion') throw error;
  throw new HttpException(problem(412, error.message, { rule: error.rule, ...error.details }), 412);
}

function invalidVersion(field: string, message: string) {
  return invalidField('logbook.entry-version-required', field, message);
}
