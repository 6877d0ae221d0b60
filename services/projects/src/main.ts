import 'reflect-metadata';
import { runService } from '@cairn/runtime';
import { projectsService } from './projects.definition';

void runService(projectsService);
