import { readFile, rename } from 'node:fs/promises';
import { writePrivately } from '../backends/workspace-folders';
import { join } from 'node:path';
import type { Assignment } from '@cairn/contracts';
import type { LogJournal, LogPosition } from './log-shipper';

/**
 * What a runner keeps about a job whose command outlives it (a Slurm job), in the job's runner folder
 * on the shared work folder: the assignment, written before the command is submitted, and the position
 * of the log, before each chunk is sent. A restarted runner takes the job up again from them. Each
 * file is replaced whole (written beside, then renamed), so a runner lost mid-write leaves the last one.
 */
export class JobJournal implements LogJournal {
  constructor(private readonly dir: string) {}

  keepAssignment(assignment: Assignment): Promise<void> {
    return this.replace('assignment.json', assignment);
  }

  async assignment(): Promise<Assignment> {
    return JSON.parse(await readFile(join(this.dir, 'assignment.json'), 'utf8')) as Assignment;
  }

  record(position: LogPosition): Promise<void> {
    return this.replace('log-position.json', position);
  }

  /** The position of the last chunk sent, or undefined before the first. */
  async logPosition(): Promise<LogPosition | undefined> {
    const text = await readFile(join(this.dir, 'log-position.json'), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    return text === undefined ? undefined : (JSON.parse(text) as LogPosition);
  }

  private async replace(file: string, content: object): Promise<void> {
    const path = join(this.dir, file);
    // The job's folder is private on a shared file system, whatever the umask.
    await writePrivately(`${path}.new`, JSON.stringify(content));
    await rename(`${path}.new`, path);
  }
}
