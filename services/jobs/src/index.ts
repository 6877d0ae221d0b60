// The jobs service's public entry, for platform tests and benchmarks under test/ (never for another service).
export { jobsService } from './jobs.definition';
export { JOB_SEARCH, JOB_SEARCH_INDEXES, jobSearchProjection, jobSearchQuery } from './projections';
