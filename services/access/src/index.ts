// The access service's public entry, for platform tests and benchmarks under test/ (never for another service).
export { accessService } from './access.definition';
export { AccessStory, type AccessCommit } from './testing/access-story';
export { labDecider, projectAccessDecider } from './domain';
export { ACCESS_INTERVALS, changesOf as accessIntervalChangesOf } from './projections/access-intervals.projection';
export { EXIT_CHECK_FAILED, EXIT_OK, runCairnCli, type CliIo } from './cli';
