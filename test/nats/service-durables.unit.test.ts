import { accessService } from '@cairn/access-service';
import { jobsService } from '@cairn/jobs-service';
import { logbookService } from '@cairn/logbook-service';
import { SERVICE_DURABLES, type ServiceContext } from '@cairn/messaging';
import { projectsService } from '@cairn/projects-service';

/**
 * NATS refuses each service the other services' durable consumers by name (`natsPermissionsOf`), so the
 * names it refuses must be the ones the services run: a projection's consumer is named after it, a
 * reactor's after the reactor (libs/runtime ServiceRuntime).
 */
describe('the durable consumers NATS keeps each service to (SERVICE_DURABLES)', () => {
  it.each([accessService, projectsService, jobsService, logbookService])('are those the $name service runs', (service) => {
    const runs = [...service.projections.map((projection) => projection.name), ...(service.reactors ?? []).map((reactor) => reactor.name)];
    expect([...SERVICE_DURABLES[service.name as ServiceContext]].sort()).toEqual(runs.sort());
  });
});
