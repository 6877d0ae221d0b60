import type { StreamName } from '@cairn/contracts';
import { v5 as uuidv5 } from 'uuid';

/** Fixed namespace of template ids; changing it would change every template's id. */
const TEMPLATE_ID_NAMESPACE = '3d8f6c52-9a41-4c7e-b0d6-5e2a7f1c9b34';

/**
 * A template's id is derived from its name, lower-cased: every version of "Render Molecule" lands in one
 * stream, so "a version is immutable" is one decision under one expected version, and no two templates
 * differ only in case.
 */
export function templateIdOf(name: string): string {
  return uuidv5(name.trim().toLowerCase(), TEMPLATE_ID_NAMESPACE);
}

export const templateStream = (templateId: string): StreamName => ({ context: 'jobs', aggregate: 'template', id: templateId });
export const jobStream = (jobId: string): StreamName => ({ context: 'jobs', aggregate: 'job', id: jobId });

/** What can be in a stream name; any other id names no job. */
export const STREAM_ID = /^[A-Za-z0-9_-]{1,64}$/;
