import 'reflect-metadata';
import { runService } from '@cairn/runtime';
import { logbookService } from './logbook.service';

void runService(logbookService);
