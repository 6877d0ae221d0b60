import { runAsProcess } from '../program';
import { fileStatistics } from './file-statistics';

runAsProcess(fileStatistics);
