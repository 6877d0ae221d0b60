import { deepStrictEqual, fail, strictEqual } from 'node:assert';
import {
  capabilitiesOf,
  DomainError,
  facilityScheme,
  foldEvents,
  labScheme,
  validateOnPublish,
  type Capability,
  type Decider,
  type DomainEvent,
  type DomainErrorKind,
  type Role,
  type RoleScheme,
} from '@cairn/contracts';

export interface DeciderSpecOptions {
  /**
   * Every event the decider produces must pass its published JSON Schema, as the command handler
   * requires before appending (default true). Only a decider of events that are not published turns it off.
   */
  validateSchemas?: boolean;
}

/**
 * Given/when/then for deciders: given the events so far, when a command, then these events (or a
 * check of them, or this refusal). Assertions come from node:assert so the helper works in any test runner.
 */
export function deciderSpec<Command, State, Event extends DomainEvent>(decider: Decider<Command, State, Event>, options: DeciderSpecOptions = {}) {
  const validate = options.validateSchemas ?? true;
  return {
    given(history: Event[]) {
      return {
        when(command: Command) {
          const run = () => {
            const events = decider.decide(command, foldEvents(decider, history));
            if (validate) events.forEach(validateOnPublish);
            return events;
          };
          return {
            /** Asserts exactly these events, or hands them to a check (`then((events) => expect(...))`). */
            then(expected: Event[] | ((events: Event[]) => void)): void {
              const events = run();
              if (typeof expected === 'function') expected(events);
              else deepStrictEqual(events, expected);
            },
            /** Asserts a DomainError with this rule (and kind, when given). */
            thenThrows(rule: string, kind?: DomainErrorKind): DomainError {
              let events: Event[];
              try {
                events = run();
              } catch (error) {
                if (!(error instanceof DomainError)) throw error;
                strictEqual(error.rule, rule, `refused by rule ${error.rule} (${error.message}), expected ${rule}`);
                if (kind) strictEqual(error.kind, kind, `refusal kind ${error.kind}, expected ${kind}`);
                return error;
              }
              return fail(`expected refusal by rule ${rule}, got events ${JSON.stringify(events)}`);
            },
          };
        },
      };
    },
  };
}

/** A caller as an application layer describes them to a decider: their capabilities come from the real role schemes. */
export function actingAs(actor: string, scheme: RoleScheme, role: Role): { actor: string; actorCapabilities: Capability[] } {
  return { actor, actorCapabilities: [...capabilitiesOf(scheme, role)] };
}

export const facility = (actor: string, role: 'viewer' | 'member' | 'manager' | 'owner') => actingAs(actor, facilityScheme, role);
export const lab = (actor: string, role: 'none' | 'viewer' | 'commenter' | 'experimenter' | 'owner') => actingAs(actor, labScheme, role);
