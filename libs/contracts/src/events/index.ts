import type { NewEvent } from '../envelope';
import type { EventDefinition } from '../event-definition';
import { EventRegistry } from '../registry';
import { Upcaster, Upcasters } from '../upcasting';
import { ConsumeResult, EventValidator } from '../validation';
import { accessEvents } from './access.events';
import { jobsEvents } from './jobs.events';
import { logbookEvents } from './logbook.events';
import { projectsEvents } from './projects.events';

/** Every event type of the platform, each context's list in turn. */
export const ALL_EVENT_DEFINITIONS: readonly EventDefinition[] = [...accessEvents, ...projectsEvents, ...jobsEvents, ...logbookEvents];

/** Every upcaster of the platform: a new version of an event adds the one from its previous version here. */
export const ALL_UPCASTERS: readonly Upcaster[] = [];

export interface EventCatalogue {
  registry: EventRegistry;
  upcasters: Upcasters;
  validator: EventValidator;
}

let catalogue: EventCatalogue | undefined;

/** The platform's catalogue, built (and every schema compiled) on first use. */
export function eventCatalogue(): EventCatalogue {
  if (!catalogue) {
    const registry = new EventRegistry(ALL_EVENT_DEFINITIONS);
    const upcasters = new Upcasters(ALL_UPCASTERS);
    catalogue = { registry, upcasters, validator: new EventValidator(registry, upcasters) };
  }
  return catalogue;
}

/** Throws `EventValidationError` unless the type is known and the data matches its schema. */
export function validateOnPublish(event: NewEvent): void {
  eventCatalogue().validator.validateOnPublish(event);
}

/** The event upcast to its newest version, or the reason to dead-letter it. */
export function validateOnConsume(event: unknown): ConsumeResult {
  return eventCatalogue().validator.validateOnConsume(event);
}
