import 'reflect-metadata';
import { runService } from '@cairn/runtime';
import { jobsService } from './jobs.service';

void runService(jobsService);
