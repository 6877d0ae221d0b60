import type { Filter, IndexDescription } from 'mongodb';
import { escapeRegex } from '@cairn/read-models';
import type { JobStatus } from '../domain/job';

export const JOB_SEARCH = 'job_search';

/** One job as the job list shows it and searches find it. */
export interface JobSearchDocument {
  _id: string;
  projectId: string;
  templateName: string;
  templateVersion: string;
  /** The template name lower-cased: the case-insensitive prefix filter. */
  templateLower: string;
  status: JobStatus;
  /** `cpu/standard`... */
  machine: string;
  triggeredBy: string;
  /** When it was requested (ISO 8601): newest first, and the time range. */
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  runnerId?: string;
  rerunOf?: string;
  rootJobId: string;
  outputFolder: string;
  failureKind?: 'executor' | 'system';
  /** Lower-cased words of the template name and of the parameter values: the free-text filter. */
  searchTerms: string[];
}

/** A search as the API asks it, already checked. */
export interface JobSearchFilter {
  /** The project of the route, or every project the caller may read. */
  projectIds: readonly string[];
  triggeredBy?: string;
  status?: readonly JobStatus[];
  /** Machine names (`gpu/turbo`); a type alone stands for both its performances. */
  machine?: readonly string[];
  templatePrefix?: string;
  from?: string;
  to?: string;
  /** Words that must all be among the job's search terms. */
  words?: readonly string[];
}

/**
 * What a query asks of an index, in the order MongoDB's rule wants (equality, sort, range): the
 * equality fields its index serves, the sort, and the range fields the index bounds after the sort.
 * `residual` are the filters the index does not serve, evaluated on the documents it finds.
 */
export interface QueryShape {
  equality: string[];
  sort: [string, 1 | -1][];
  ranges: string[];
  residual: string[];
}

const EQUALITY_FILTERS = ['triggeredBy', 'status', 'machine'] as const;
const NEWEST_FIRST: [string, -1][] = [
  ['createdAt', -1],
  ['_id', -1],
];
const MAX_TERMS = 100;
const MAX_TERM_LENGTH = 64;

function subsetsOf<T>(items: readonly T[]): T[][] {
  return items.reduce<T[][]>((subsets, item) => [...subsets, ...subsets.map((subset) => [...subset, item])], [[]]);
}

const keyOf = (fields: string[], ranges: string[]): IndexDescription['key'] =>
  Object.fromEntries([...fields.map((field) => [field, 1]), ...NEWEST_FIRST, ...ranges.map((field) => [field, 1])]);

/**
 * The indexes of `job_search`, each serving the query shapes below: the project with every combination
 * of the equality filters, newest first, the template prefix bounded in the index after the sort; and
 * the project with a free-text word (the terms are an array, so the index is multikey: a word is an
 * equality on one term, and the others filters of that search are residual); and the status alone, for
 * the count of jobs by state that /metrics shows (`jobsInStateQuery`); and the project with the root
 * of a chain of reruns, oldest first (`lineageQuery`).
 */
export const JOB_SEARCH_INDEXES: IndexDescription[] = [
  ...subsetsOf(EQUALITY_FILTERS).map((fields) => ({ key: keyOf(['projectId', ...fields], ['templateLower']) })),
  { key: keyOf(['projectId', 'searchTerms'], []) },
  { key: { status: 1 } },
  { key: { projectId: 1, rootJobId: 1, createdAt: 1, _id: 1 } },
];

/** The most jobs a lineage answers: a chain of reruns longer than this is cut, oldest kept. */
export const LINEAGE_LIMIT = 500;

/**
 * The jobs of one chain of reruns, oldest first (the root, then its reruns as they were requested).
 * The project is part of the key: a chain never leaves its project, and the index stays project-led.
 */
export function lineageQuery(projectId: string, rootJobId: string): { filter: Filter<JobSearchDocument>; sort: Record<string, 1 | -1>; shape: QueryShape } {
  const sort: [string, 1][] = [
    ['createdAt', 1],
    ['_id', 1],
  ];
  return { filter: { projectId, rootJobId }, sort: Object.fromEntries(sort), shape: { equality: ['projectId', 'rootJobId'], sort, ranges: [], residual: [] } };
}

/** All jobs in one state, counted (a count over the `{status: 1}` index on MongoDB). */
export function jobsInStateQuery(status: JobStatus): { filter: Filter<JobSearchDocument>; shape: QueryShape } {
  return { filter: { status }, shape: { equality: ['status'], sort: [], ranges: [], residual: [] } };
}

/** The MongoDB filter of a search, and the shape its index must serve (`job-search.queries.unit.test.ts` checks there is one). */
export function jobSearchQuery(search: JobSearchFilter, after?: [string, string]): { filter: Filter<JobSearchDocument>; sort: Record<string, 1 | -1>; shape: QueryShape } {
  const equality: Record<string, unknown> = {
    projectId: search.projectIds.length === 1 ? search.projectIds[0] : { $in: search.projectIds },
    ...(search.triggeredBy !== undefined && { triggeredBy: search.triggeredBy }),
    ...(search.status !== undefined && { status: oneOrAny(search.status) }),
    ...(search.machine !== undefined && { machine: oneOrAny(search.machine) }),
  };
  const ranges: Record<string, unknown> = {
    ...((search.from !== undefined || search.to !== undefined) && {
      createdAt: { ...(search.from !== undefined && { $gte: search.from }), ...(search.to !== undefined && { $lt: search.to }) },
    }),
    ...(search.templatePrefix !== undefined && { templateLower: { $regex: `^${escapeRegex(search.templatePrefix.toLowerCase())}` } }),
  };
  const words = search.words?.length ? { searchTerms: { $all: [...search.words] } } : {};
  const keyset = after ? [{ $or: [{ createdAt: { $lt: after[0] } }, { createdAt: after[0], _id: { $lt: after[1] } }] }] : [];
  const conditions = [{ ...equality, ...ranges, ...words }, ...keyset];
  const filter = (conditions.length === 1 ? conditions[0] : { $and: conditions }) as Filter<JobSearchDocument>;
  const sort = Object.fromEntries(NEWEST_FIRST);
  const equalityFields = Object.keys(equality);
  const shape: QueryShape = search.words?.length
    ? { equality: ['projectId', 'searchTerms'], sort: NEWEST_FIRST, ranges: ranges.createdAt ? ['createdAt'] : [], residual: [...equalityFields.filter((field) => field !== 'projectId'), ...(ranges.templateLower ? ['templateLower'] : [])] }
    : { equality: equalityFields, sort: NEWEST_FIRST, ranges: Object.keys(ranges), residual: [] };
  return { filter, sort, shape };
}

function oneOrAny(values: readonly string[]): unknown {
  return values.length === 1 ? values[0] : { $in: [...values] };
}

/** The words a job is found by: its template's name and its parameter values, lower-cased. */
export function searchTermsOf(templateName: string, parameters: Record<string, unknown>): string[] {
  const values = Object.values(parameters).flatMap(function scalars(value: unknown): string[] {
    if (value === null || value === undefined) return [];
    if (Array.isArray(value)) return value.flatMap(scalars);
    if (typeof value === 'object') return Object.values(value).flatMap(scalars);
    return [String(value)];
  });
  return [...new Set(wordsOf([templateName, ...values].join(' ')))].slice(0, MAX_TERMS);
}

/** Lower-cased runs of letters and digits (`ball-and-stick` is found by `ball`, `stick` and itself). */
export function wordsOf(text: string): string[] {
  const lower = text.toLowerCase();
  const runs = lower.match(/[\p{L}\p{N}]+/gu) ?? [];
  const hyphenated = lower.match(/[\p{L}\p{N}]+(?:[-_.][\p{L}\p{N}]+)+/gu) ?? [];
  return [...runs, ...hyphenated].filter((word) => word.length <= MAX_TERM_LENGTH);
}
