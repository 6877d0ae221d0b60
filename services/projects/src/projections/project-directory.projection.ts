import type { ProjectCreatedData } from '@cairn/contracts';
import { defineProjection } from '@cairn/read-models';

export const PROJECT_DIRECTORY = 'project_directory';

/** One project as lists and the project page show it; `nameLower` serves anchored prefix search. */
export interface ProjectDocument {
  _id: string;
  lab: string;
  slug: string;
  name: string;
  nameLower: string;
  description: string;
  scheme: string;
  baseLevel?: string;
  status: 'active' | 'deleted';
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  deletedBy?: string;
  deletedAt?: string;
}

/** What a project is on creation (`time`: its event's), as the directory keeps it and the creation answers it. */
export function newProjectOf(data: ProjectCreatedData, time: string): Omit<ProjectDocument, '_id'> {
  return {
    lab: data.lab,
    slug: data.slug,
    name: data.name,
    nameLower: data.name.toLowerCase(),
    description: data.description,
    scheme: data.scheme,
    ...(data.baseLevel === undefined ? {} : { baseLevel: data.baseLevel }),
    status: 'active',
    createdBy: data.createdBy,
    createdAt: time,
    updatedAt: time,
  };
}

/** The lab's projects: the project list, slug lookups and the project page's header. */
export const projectDirectoryProjection = defineProjection({
  name: PROJECT_DIRECTORY,
  version: 1,
  indexes: [{ key: { lab: 1, slug: 1 } }, { key: { lab: 1, nameLower: 1, _id: 1 } }, { key: { nameLower: 1, _id: 1 } }],
  on: {
    'projects.project.created.v1': ({ data, position, time }) => [{ kind: 'replace', id: data.projectId, position, document: newProjectOf(data, time) }],
    'projects.project.updated.v1': ({ data: { projectId, name, description }, position, time }) => {
      const changes = {
        ...(name === undefined ? {} : { name, nameLower: name.toLowerCase() }),
        ...(description === undefined ? {} : { description }),
        updatedAt: time,
      };
      return [{ kind: 'update', id: projectId, position, update: { $set: changes }, upsert: false }];
    },
    'projects.project.deleted.v1': ({ data: { projectId, actor }, position, time }) => {
      const changes = { status: 'deleted', deletedBy: actor, deletedAt: time, updatedAt: time };
      return [{ kind: 'update', id: projectId, position, update: { $set: changes }, upsert: false }];
    },
  },
});
