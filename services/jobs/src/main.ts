import 'reflect-metadata';
import { runService } from '@cairn/runtime';
import { jobsService } from './jobs.definition';

void runService(jobsService);
