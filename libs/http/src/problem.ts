/** RFC 9457 problem details, the body of every error answer. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The rule that refused, for domain refusals. */
  rule?: string;
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Extensions never overwrite the document's own members: a domain detail named `status` stays a detail. */
export function problem(status: number, detail: string, extensions: Partial<ProblemDocument> = {}): ProblemDocument {
  const slug = extensions.rule ?? (TITLES[status] ?? 'error').toLowerCase().replace(/\s+/g, '-');
  return { ...extensions, type: `urn:cairn:problem:${slug}`, title: TITLES[status] ?? 'Error', status, detail };
}
