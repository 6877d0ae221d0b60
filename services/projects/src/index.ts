// The projects service's public entry, for platform tests and benchmarks under test/ (never for another service).
export { projectsService } from './projects.definition';
export { AccessView } from './application/access-view';
export { FilesService } from './application/files.service';
export { ProjectsService } from './application/projects.service';
export { projectIdOf, projectStream } from './application/streams';
export { experimentDirectoryProjection, newProjectOf, PROJECT_DIRECTORY, projectDirectoryProjection } from './projections';
