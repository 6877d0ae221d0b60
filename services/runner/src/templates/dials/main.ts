import { runAsProcess } from '../program';
import { dials } from './dials';

runAsProcess(dials);
