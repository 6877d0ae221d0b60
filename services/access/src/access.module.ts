import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CairnHttpModule } from '@cairn/http';
import type { ServiceRuntime } from '@cairn/runtime';
import { AuditController } from './api/audit.controller';
import { DirectorySightingInterceptor } from './api/directory-sighting.interceptor';
import { LabsController } from './api/labs.controller';
import { ProjectAccessController } from './api/project-access.controller';
import { RoleSchemesController } from './api/role-schemes.controller';
import { UsersController } from './api/users.controller';
import { AccessAuditService } from './application/access-audit.service';
import { auditSignerFromEnv } from './application/audit-signing-key';
import { ChainHeads } from './application/chain-heads';
import { AccessPreviews } from './application/access-previews';
import { LabPeopleService } from './application/lab-people.service';
import { LabsService } from './application/labs.service';
import { ProjectAccessService } from './application/project-access.service';
import { InvitationsAtSignIn } from './application/invitations-at-sign-in';
import { UserDirectory } from './application/user-directory';
import { ACCESS_AUDIT, AccessAuditQuery } from './projections/access-audit.projection';
import { ACCESS_INTERVALS, AccessTimelines } from './projections/access-intervals.projection';
import { LAB_DIRECTORY, LabsOfCallerQuery } from './projections/lab-directory.projection';
import { DIRECTORY_NAMES, DirectoryNamesQuery } from './projections/directory-names.projection';
import { LAB_MEMBERS, LabMembersQuery } from './projections/lab-members.projection';
import { PENDING_INVITATIONS, PendingInvitationsQuery } from './projections/pending-invitations.projection';

@Module({})
export class AccessModule {
  static register(runtime: ServiceRuntime): DynamicModule {
    return {
      module: AccessModule,
      imports: [
        CairnHttpModule.forRoot(runtime.httpOptions()),
      ],
      controllers: [LabsController, ProjectAccessController, UsersController, AuditController, RoleSchemesController],
      providers: [
        { provide: UserDirectory, useFactory: () => UserDirectory.open(runtime.db) },
        { provide: APP_INTERCEPTOR, useClass: DirectorySightingInterceptor },
        { provide: ChainHeads, useFactory: () => ChainHeads.fromEnv(runtime.store, runtime.env) },
        {
          provide: LabsService,
          useFactory: (directory: UserDirectory, heads: ChainHeads) => new LabsService(runtime.store, directory, heads),
          inject: [UserDirectory, ChainHeads],
        },
        {
          provide: ProjectAccessService,
          useFactory: async (directory: UserDirectory, heads: ChainHeads) =>
            new ProjectAccessService(runtime.store, directory, await AccessPreviews.open(runtime.db), heads),
          inject: [UserDirectory, ChainHeads],
        },
        {
          provide: InvitationsAtSignIn,
          useFactory: (access: ProjectAccessService) =>
            new InvitationsAtSignIn(
              access,
              new PendingInvitationsQuery(() => runtime.collections.resolve(PENDING_INVITATIONS)),
              () => runtime.freshState.of(runtime.readModel(PENDING_INVITATIONS)),
            ),
          inject: [ProjectAccessService],
        },
        { provide: LabPeopleService, useFactory: (directory: UserDirectory) => new LabPeopleService(runtime.store, directory), inject: [UserDirectory] },
        { provide: LabMembersQuery, useFactory: () => new LabMembersQuery(() => runtime.collections.resolve(LAB_MEMBERS)) },
        {
          provide: LabsOfCallerQuery,
          useFactory: () =>
            new LabsOfCallerQuery(
              () => runtime.collections.resolve(LAB_DIRECTORY),
              () => runtime.collections.resolve(LAB_MEMBERS),
            ),
        },
        {
          provide: AccessAuditService,
          useFactory: (directory: UserDirectory) =>
            new AccessAuditService(
              new AccessTimelines(() => runtime.collections.resolve(ACCESS_INTERVALS)),
              new AccessAuditQuery(() => runtime.collections.resolve(ACCESS_AUDIT)),
              new DirectoryNamesQuery(() => runtime.collections.resolve(DIRECTORY_NAMES)),
              directory,
              runtime.store,
              { signer: () => auditSignerFromEnv(runtime.env), eventStore: runtime.config.eventStore },
            ),
          inject: [UserDirectory],
        },
      ],
    };
  }
}
