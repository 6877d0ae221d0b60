import 'reflect-metadata';
import { runService } from '@cairn/runtime';
import { logbookService } from './logbook.definition';

void runService(logbookService);
