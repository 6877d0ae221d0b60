import { runAsProcess } from '../program';
import { renderMolecule } from './render-molecule';

runAsProcess(renderMolecule);
