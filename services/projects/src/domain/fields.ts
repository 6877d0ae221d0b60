import { invalidField } from '@cairn/contracts';

export const NAME_MAX_LENGTH = 120;
export const DESCRIPTION_MAX_LENGTH = 5000;
export const REASON_MAX_LENGTH = 2000;
/** Bounds one event's size: a bulk call's ids travel in a single event. */
export const MAX_IDS_PER_CALL = 1000;

/** Trimmed; between 1 and 120 characters once trimmed. */
export function requireName(value: string, field = 'name'): string {
  const name = typeof value === 'string' ? value.trim() : '';
  if (name.length === 0) throw invalidField('fields.name-required', field, 'must not be blank');
  if (name.length > NAME_MAX_LENGTH) {
    throw invalidField('fields.name-too-long', field, `must be at most ${NAME_MAX_LENGTH} characters`);
  }
  return name;
}

/** Optional, kept as written (markdown cares about whitespace), at most 5000 characters. */
export function requireDescription(value: string | undefined, field = 'description'): string {
  const description = value ?? '';
  if (typeof description !== 'string') throw invalidField('fields.description-type', field, 'must be text');
  if (description.length > DESCRIPTION_MAX_LENGTH) {
    throw invalidField('fields.description-too-long', field, `must be at most ${DESCRIPTION_MAX_LENGTH} characters`);
  }
  return description;
}

/** Trimmed; at most 2000 characters; blank counts as absent. */
export function optionalReason(value: string | undefined): string | undefined {
  const reason = typeof value === 'string' ? value.trim() : '';
  if (reason.length > REASON_MAX_LENGTH) {
    throw invalidField('fields.reason-too-long', 'reason', `must be at most ${REASON_MAX_LENGTH} characters`);
  }
  return reason.length > 0 ? reason : undefined;
}

export function requireReason(value: string | undefined): string {
  const reason = optionalReason(value);
  if (reason === undefined) throw invalidField('fields.reason-required', 'reason', 'must not be blank');
  return reason;
}

/** 1..1000 non-empty ids; repeats collapse, first-seen order kept. */
export function requireIdList(values: readonly string[], field: string): string[] {
  if (!Array.isArray(values) || values.length === 0) throw invalidField('fields.ids-required', field, 'must list at least one id');
  if (values.some((value) => typeof value !== 'string' || value.length === 0)) {
    throw invalidField('fields.ids-required', field, 'ids must be non-empty strings');
  }
  const unique = [...new Set(values)];
  if (unique.length > MAX_IDS_PER_CALL) {
    throw invalidField('fields.too-many-ids', field, `at most ${MAX_IDS_PER_CALL} ids per call`);
  }
  return unique;
}
