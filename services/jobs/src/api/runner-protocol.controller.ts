import { BadRequestException, Catch, Controller, Inject, UseFilters, UsePipes, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { Ctx, MessagePattern, NatsContext, Payload } from '@nestjs/microservices';
import { AuthenticationError, type TokenVerifier } from '@cairn/auth';
import { DomainError, runnerIdOfSubject, runnerRequestPattern, type FinishedReport, type ProtocolRefusal } from '@cairn/contracts';
import { createValidationPipe, TOKEN_VERIFIER, type ProblemDocument } from '@cairn/http';
import { of, throwError, type Observable } from 'rxjs';
import { RunnerAnnouncements } from '../application/runner-announcements';
import { RunnerReports } from '../application/runner-reports.service';
import { AnnounceDto, ClaimDto, FinishedDto, HeartbeatDto, LogDto, OutputDto, ProgressDto } from './runner-protocol.dto';

/**
 * A request refused before it was looked at is answered, not failed: `{ refused: true, status, reason }`
 * (a runner does not retry those). Anything else fails the request, and the runner retries it.
 */
@Catch()
export class RunnerProtocolFilter implements ExceptionFilter {
  catch(error: unknown, _host: ArgumentsHost): Observable<ProtocolRefusal> {
    const refusal = refusalOf(error);
    return refusal ? of(refusal) : throwError(() => error);
  }
}

function refusalOf(error: unknown): ProtocolRefusal | undefined {
  if (error instanceof AuthenticationError) return { refused: true, status: 401, reason: error.message };
  if (error instanceof DomainError && error.kind === 'forbidden') return { refused: true, status: 403, reason: error.message };
  if (error instanceof BadRequestException) {
    const body = error.getResponse() as Partial<ProblemDocument>;
    return { refused: true, status: 400, reason: body.detail ?? error.message };
  }
  return undefined;
}

/**
 * The runner protocol's reports, as `@MessagePattern` handlers on the service's NATS side (requests in
 * Nest's packet format; `libs/contracts/src/runner-protocol.ts`). Each request carries a runner token in
 * its `authorization` header, and names the runner that token is for.
 */
@Controller()
@UseFilters(RunnerProtocolFilter)
@UsePipes(createValidationPipe())
export class RunnerProtocolController {
  constructor(
    private readonly reports: RunnerReports,
    private readonly announcements: RunnerAnnouncements,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
  ) {}

  @MessagePattern(runnerRequestPattern('claim'))
  async claim(@Payload() report: ClaimDto, @Ctx() context: NatsContext) {
    return this.reports.claim(await this.runnerOf(context, report.runnerId), report);
  }

  @MessagePattern(runnerRequestPattern('log'))
  async log(@Payload() report: LogDto, @Ctx() context: NatsContext) {
    return this.reports.log(await this.runnerOf(context, report.runnerId), report);
  }

  @MessagePattern(runnerRequestPattern('output'))
  async output(@Payload() report: OutputDto, @Ctx() context: NatsContext) {
    return this.reports.output(await this.runnerOf(context, report.runnerId), report);
  }

  @MessagePattern(runnerRequestPattern('progress'))
  async progress(@Payload() report: ProgressDto, @Ctx() context: NatsContext) {
    return this.reports.progress(await this.runnerOf(context, report.runnerId), report);
  }

  @MessagePattern(runnerRequestPattern('heartbeat'))
  async heartbeat(@Payload() report: HeartbeatDto, @Ctx() context: NatsContext) {
    return this.reports.heartbeat(await this.runnerOf(context, report.runnerId), report);
  }

  @MessagePattern(runnerRequestPattern('finished'))
  async finished(@Payload() report: FinishedDto, @Ctx() context: NatsContext) {
    return this.reports.finished(await this.runnerOf(context, report.runnerId), report as FinishedReport);
  }

  @MessagePattern(runnerRequestPattern('announce'))
  async announce(@Payload() report: AnnounceDto, @Ctx() context: NatsContext) {
    return this.announcements.announce(await this.runnerOf(context, report.runnerId), report);
  }

  /** The runner a request's token names, which must be the one the report and the subject name. */
  private async runnerOf(context: NatsContext, runnerId: string): Promise<string> {
    const header = context.getHeaders()?.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AuthenticationError('missing', 'A runner request carries its runner token: authorization: Bearer <token>.');
    const principal = await this.verifier.verify(match[1]);
    if (!principal.isRunner) throw new DomainError('forbidden', 'jobs.runners-only', 'the runner protocol takes runner tokens only (cairn_runner: true)');
    if (principal.userId !== runnerId) {
      throw new DomainError('forbidden', 'jobs.runner-is-its-token', `the token is runner ${principal.userId}'s; it cannot report as ${runnerId}`);
    }
    // The server lets only runner X's NATS identity publish on runner X's subjects: a token elsewhere is not its own.
    const onSubjectOf = runnerIdOfSubject(context.getSubject());
    if (onSubjectOf !== runnerId) {
      throw new DomainError('forbidden', 'jobs.runner-is-its-subject', `the request came on runner ${onSubjectOf}'s subject; it cannot report as ${runnerId}`);
    }
    return runnerId;
  }
}
