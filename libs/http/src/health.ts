import { Controller, Get, Inject, Optional, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from './auth';
import { problem } from './problem';

/** A dependency the service needs before it can serve traffic (NATS connected, Mongo answering...). */
export interface ReadinessProbe {
  name: string;
  check(): Promise<boolean>;
}
export const READINESS_PROBES = Symbol('READINESS_PROBES');

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Optional() @Inject(READINESS_PROBES) private readonly probes: ReadinessProbe[] = []) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    const results = await Promise.all(
      this.probes.map(async (probe) => ({ name: probe.name, ok: await probe.check().catch(() => false) })),
    );
    const failing = results.filter((result) => !result.ok).map((result) => result.name);
    if (failing.length > 0) {
      throw new ServiceUnavailableException(problem(503, `Not ready: ${failing.join(', ')}`, { rule: 'health.not-ready' }));
    }
    return { status: 'ok', checks: results };
  }
}
