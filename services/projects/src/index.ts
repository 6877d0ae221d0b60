// The projects service's public entry, for platform tests and benchmarks under test/ (never for another service).
export { projectsService } from './projects.definition';
export { AccessView } from './application/access-view';
export { FilesService } from './application/files.service';
export { ProjectsService } from './application/projects.service';
export { projectIdOf, projectStream } from './application/streams';
export { experimentDirectoryProjection, newProjectOf, PROJECT_DIRECTORY, projectDirectoryProjection } from './projections';
export { LocalBlobStore } from './application/local-blob-store';
export { keptRendering, measureFrames } from './application/stacks.service';
export { PREVIEW_SIZE } from './application/stack-images';
export { stackDecider } from './domain/stack';
