import 'reflect-metadata';
import { runService } from '@cairn/runtime';
import { accessService } from './access.definition';

void runService(accessService);
