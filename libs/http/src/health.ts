import { Controller, Get, Inject, Optional, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from './auth';
import { problem, type ProblemDocument } from './problem';

/** A dependency the service needs before it can serve traffic (NATS connected, Mongo answering...). */
export interface ReadinessProbe {
  name: string;
  /** True when the dependency answers; false, or an error whose message says why, when it does not. */
  check(): Promise<boolean>;
}
export const READINESS_PROBES = Symbol('READINESS_PROBES');

/**
 * How long one probe may take. A server that keeps its connection open but answers nothing (stopped,
 * wedged) must count as down, and within the orchestrator's probe timeout (3 s), not after the
 * client's own timeouts (a MongoDB server selection waits 30 s).
 */
export const READINESS_CHECK_TIMEOUT_MS = 1_500;

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  /** Why it is not ready (absent when it is). */
  reason?: string;
}

export interface Readiness {
  ready: boolean;
  checks: ReadinessCheck[];
  /** The 503 answer naming what is not ready, when something is not. */
  problem?: ProblemDocument;
}

/** Every probe at once, each bounded by `timeoutMs`: ready when all answer true. */
export async function readinessOf(probes: ReadinessProbe[], timeoutMs = READINESS_CHECK_TIMEOUT_MS): Promise<Readiness> {
  const checks = await Promise.all(probes.map((probe) => checkWithin(probe, timeoutMs)));
  const failing = checks.filter((check) => !check.ok);
  if (failing.length === 0) return { ready: true, checks };
  const detail = `Not ready: ${failing.map((check) => check.name).join(', ')}`;
  return { ready: false, checks, problem: problem(503, detail, { rule: 'health.not-ready', checks }) };
}

async function checkWithin(probe: ReadinessProbe, timeoutMs: number): Promise<ReadinessCheck> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return (await Promise.race([probe.check(), late])) ? { name: probe.name, ok: true } : { name: probe.name, ok: false, reason: 'not ready' };
  } catch (error) {
    return { name: probe.name, ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Optional() @Inject(READINESS_PROBES) private readonly probes: ReadinessProbe[] = []) {}

  /** Up while the process answers: waiting for a dependency is no reason to restart it. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    const readiness = await readinessOf(this.probes);
    if (readiness.problem) throw new ServiceUnavailableException(readiness.problem);
    return { status: 'ok', checks: readiness.checks };
  }
}
