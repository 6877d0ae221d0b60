import { categoryOf, type CairnEvent, type NewEvent } from '../envelope';
import type { DataOf } from '../event-definition';
import { EventRegistry } from '../registry';
import { Upcaster, Upcasters } from '../upcasting';
import { ConsumeResult, EventValidator } from '../validation';
import { accessEvents } from './access.events';
import { jobsEvents, jobsUpcasters } from './jobs.events';
import { logbookEvents } from './logbook.events';
import { projectsEvents } from './projects.events';

/** Every event type of the platform, each context's list in turn (a new context adds its list here). */
export const ALL_EVENT_DEFINITIONS = [...accessEvents, ...projectsEvents, ...jobsEvents, ...logbookEvents] as const;

type PublishedDefinition = (typeof ALL_EVENT_DEFINITIONS)[number];

/** The name of every published event type. */
export type PublishedEventType = PublishedDefinition['type'];

/** From an event type's name to the type of its data, as its definition declares it. */
export type EventDataMap = { [D in PublishedDefinition as D['type']]: DataOf<D> };

/** The data of one published event type. */
export type EventDataOf<T extends PublishedEventType> = EventDataMap[T];

/** From an event type's name to its stored event (the envelope, with the data of that type). */
export type StoredEventMap = { [T in PublishedEventType]: CairnEvent<T, EventDataOf<T>> };

/**
 * A stored event of one of these types, with its data typed by its type: a union discriminated by
 * `type`, so a `switch (event.type)` or a handler per type reads `event.data` without a cast.
 */
export type StoredEventOf<T extends PublishedEventType = PublishedEventType> = StoredEventMap[T];

/** Published event types whose data names a project (`data.projectId`). */
export type ProjectScopedEventType = {
  [T in PublishedEventType]: EventDataOf<T> extends { projectId: string } ? T : never;
}[PublishedEventType];

/** The `<context>_<aggregate>` categories whose streams carry these event types, each once. */
export function categoriesOfEventTypes(types: Iterable<PublishedEventType>): string[] {
  const { registry } = eventCatalogue();
  const categories = new Set<string>();
  for (const type of types) {
    categories.add(categoryOf({ context: registry.nameOf(type).context, aggregate: registry.streamAggregateOf(type) }));
  }
  return [...categories];
}

/** Every upcaster of the platform: a new version of an event adds the one from its previous version here. */
export const ALL_UPCASTERS: readonly Upcaster[] = [...jobsUpcasters];

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
