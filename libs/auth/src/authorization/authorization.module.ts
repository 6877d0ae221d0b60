import { Module, type DynamicModule } from '@nestjs/common';
import type { AuthorizationProjection } from './authorization-projection';
import { AUTHORIZATION_OPTIONS, AUTHORIZATION_PROJECTION, Authorizer, type AuthorizationOptions } from './authorizer';
import { CapabilityGuard } from './requires';

/**
 * `@Requires(...)` on routes and an injectable `Authorizer`, over a started projection:
 * `AuthorizationModule.forRoot(await AuthorizationProjection.start(store))`. Global, so every
 * controller's module can build the guard.
 */
@Module({})
export class AuthorizationModule {
  static forRoot(projection: AuthorizationProjection, options: Partial<AuthorizationOptions> = {}): DynamicModule {
    const settled: AuthorizationOptions = { waitTimeoutMs: options.waitTimeoutMs ?? 2_000 };
    return {
      module: AuthorizationModule,
      global: true,
      providers: [
        { provide: AUTHORIZATION_PROJECTION, useValue: projection },
        { provide: AUTHORIZATION_OPTIONS, useValue: settled },
        Authorizer,
        CapabilityGuard,
      ],
      exports: [AUTHORIZATION_PROJECTION, Authorizer, CapabilityGuard],
    };
  }
}
