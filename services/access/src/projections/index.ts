import type { Projection } from '@cairn/read-models';
import { accessAuditProjection } from './access-audit.projection';
import { accessIntervalsProjection } from './access-intervals.projection';
import { directoryNamesProjection } from './directory-names.projection';
import { labDirectoryProjection } from './lab-directory.projection';
import { labMembersProjection } from './lab-members.projection';
import { pendingInvitationsProjection } from './pending-invitations.projection';

/** Every read model the access service keeps. */
export const accessProjections: Projection[] = [labMembersProjection, labDirectoryProjection, accessAuditProjection, accessIntervalsProjection, directoryNamesProjection, pendingInvitationsProjection];
