import { Logger } from '@nestjs/common';
import type { DirectoryEntry } from '../domain';
import type { PendingInvitationsQuery } from '../projections/pending-invitations.projection';
import type { ProjectAccessService } from './project-access.service';

/**
 * A person's first sign-in (first to this process, or with changed claims) accepts the invitations
 * waiting for their verified e-mail. The lookup waits until the invitations model has everything the
 * store held at the sign-in, so an invitation sent just before is not missed. A failure is logged and
 * never fails the sign-in's own request: the next sign-in tries again.
 */
export class InvitationsAtSignIn {
  private readonly logger = new Logger(InvitationsAtSignIn.name);

  constructor(
    private readonly access: ProjectAccessService,
    private readonly waiting: PendingInvitationsQuery,
    private readonly untilFresh: () => Promise<void>,
  ) {}

  /** The position of the last invitation accepted, for the sign-in's answer to carry; undefined when none was. */
  async signedIn(entry: DirectoryEntry): Promise<number | undefined> {
    if (!entry.email) return undefined;
    try {
      await this.untilFresh();
      return await this.access.acceptInvitationsOf(entry, await this.waiting.waitingFor(entry.email));
    } catch (error) {
      this.logger.error(`the invitations of ${entry.userId} were not accepted at sign-in: ${(error as Error).message}`);
      return undefined;
    }
  }
}
