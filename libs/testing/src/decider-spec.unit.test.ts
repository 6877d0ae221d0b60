import { EventValidationError, type Decider, type DomainEvent } from '@cairn/contracts';
import { deciderSpec } from './decider-spec';

type Rename = { name: string };
/** Renames a project; the data it writes is whatever the command says, valid or not. */
const renamer: Decider<Rename, null, DomainEvent> = {
  initialState: () => null,
  evolve: (state) => state,
  decide: ({ name }) => [{ type: 'projects.project.updated.v1', data: { projectId: 'p1', name, actor: 'ada' } }],
};

describe('deciderSpec', () => {
  it('then([...]) asserts exactly the events; then((events) => ...) hands them to a check', () => {
    const spec = deciderSpec(renamer);
    spec.given([]).when({ name: 'B' }).then([{ type: 'projects.project.updated.v1', data: { projectId: 'p1', name: 'B', actor: 'ada' } }]);
    spec
      .given([])
      .when({ name: 'B' })
      .then(([event]) => expect(event.data).toMatchObject({ name: 'B' }));
  });

  it('validates every produced event against its published schema, as the command handler does', () => {
    expect(() => deciderSpec(renamer).given([]).when({ name: '' }).then(() => undefined)).toThrow(EventValidationError);
    expect(() => deciderSpec(renamer, { validateSchemas: false }).given([]).when({ name: '' }).then(() => undefined)).not.toThrow();
  });
});
