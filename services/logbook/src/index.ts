// The logbook service's public entry, for platform tests under test/ (never for another service).
export { logbookService } from './logbook.definition';
