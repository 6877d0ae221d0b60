import 'reflect-metadata';
import { runService } from '@cairn/runtime';
import { accessService } from './access.service';

void runService(accessService);
