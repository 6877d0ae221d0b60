import 'reflect-metadata';
import { runService } from '@cairn/runtime';
import { projectsService } from './projects.service';

void runService(projectsService);
