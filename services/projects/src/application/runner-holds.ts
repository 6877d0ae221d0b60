import type { Principal } from '@cairn/auth';
import { forbidden } from '@cairn/contracts';
import type { ReadModelCollections } from '@cairn/read-models';
import { requireProcessedPath } from '../domain/file-paths';
import { RUNNER_HOLDS, type RunnerHoldDocument } from '../projections';

const refused = () => forbidden('files.runner-not-holding', 'a runner reads only the inputs and writes only the output folder of a running job it holds');

/**
 * "A runner may read only the inputs of a job it holds and write only into that job's output folder":
 * what a runner token may do with the project's files, from the jobs service's events (`runner_holds`).
 * Anything else is refused with 403. The runner sends its claim's position as `Cairn-Min-Position`, so
 * the hold it asks about has reached the model.
 */
export class RunnerHolds {
  constructor(
    private readonly collections: ReadModelCollections,
    /** Before an upload is recorded: the holds have everything the store held when it arrived (the job may have ended). */
    private readonly fresh: () => Promise<void>,
  ) {}

  /** A running job of this project, held by the runner, with the file among its inputs. */
  async requireInput(runner: Principal, projectId: string, fileId: string): Promise<void> {
    const holds = await this.collections.resolve<RunnerHoldDocument>(RUNNER_HOLDS);
    const hold = await holds.findOne({ runnerId: runner.userId, projectId, inputFileIds: fileId, status: 'running' });
    if (!hold) throw refused();
  }

  /** The job whose output folder (`processed/<jobId>/...`) the path is in, held by the runner and running. */
  async requireOutput(runner: Principal, projectId: string, path: string): Promise<{ jobId: string; triggeredBy: string }> {
    const [folder, jobId] = typeof path === 'string' ? path.split('/') : [];
    if (folder !== 'processed' || !jobId) throw refused();
    await this.fresh();
    const hold = await (await this.collections.resolve<RunnerHoldDocument>(RUNNER_HOLDS)).findOne({ _id: jobId });
    if (!hold || hold.runnerId !== runner.userId || hold.projectId !== projectId || hold.status !== 'running') throw refused();
    // Inside its own folder, the path is held to the file space's rules like any other (400 otherwise).
    requireProcessedPath(path, jobId);
    return { jobId, triggeredBy: hold.triggeredBy };
  }
}
