import type { Projection } from '@cairn/read-models';
import { labMembersProjection } from './lab-members.projection';

/** Every read model the access service keeps. */
export const accessProjections: Projection[] = [labMembersProjection];
