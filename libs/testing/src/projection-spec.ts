import { deepStrictEqual } from 'node:assert';
import type { CairnEvent } from '@cairn/contracts';
import type { Projection } from '@cairn/read-models';
import type { Document } from 'mongodb';
import { InMemoryReadModel } from './in-memory-read-model';

/** The read model's documents by `_id` (without `_position`), or a check of them. */
export type ExpectedDocuments = Document[] | ((documents: Document[]) => void);

export interface ProjectionSpecWhen {
  /**
   * Asserts the whole read model after the `given` and `when` batches. Then delivers the `when` batch
   * again, as a consumer does after a crash before its acknowledgement, and asserts that it changed
   * nothing.
   */
  then(expected: ExpectedDocuments): void;
}

export interface ProjectionSpecGiven {
  /** The events under test, handled as one batch after the `given` one. */
  when(events: readonly CairnEvent[]): ProjectionSpecWhen;
}

/**
 * Given/when/then for projections: given these stored events (one batch), when these (the next batch),
 * then the read model holds these documents. The writes are applied to an in-memory collection with
 * the runner's guards and MongoDB's update semantics (`InMemoryReadModel`). Build the events with
 * `storedEvents()`. Assertions come from node:assert so the helper works in any test runner.
 */
export function projectionSpec(projection: Projection): ProjectionSpecGiven & { given(events: readonly CairnEvent[]): ProjectionSpecGiven } {
  const given = (history: readonly CairnEvent[]): ProjectionSpecGiven => ({
    when(events) {
      return {
        then(expected) {
          const model = new InMemoryReadModel();
          if (history.length > 0) model.apply(projection.handle(history));
          model.apply(projection.handle(events));
          const documents = model.contents();
          if (typeof expected === 'function') expected(documents);
          else deepStrictEqual(documents, expected);
          model.apply(projection.handle(events));
          deepStrictEqual(model.contents(), documents, 'delivering the same batch again changed the read model');
        },
      };
    },
  });
  return { given, when: (events) => given([]).when(events) };
}
