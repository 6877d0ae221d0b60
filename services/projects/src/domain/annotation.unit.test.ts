import type { AnnotationPin, StackEvent } from '@cairn/contracts';
import { deciderSpec } from '@cairn/testing';
import { stackDecider, type StackCommand } from './stack';
import type { Actor } from './guards';
import { facility, lab } from './testing/projects.fixtures';

const spec = deciderSpec(stackDecider);

/** A stack of 5 frames of 1024×768. */
const made: StackEvent = {
  type: 'projects.stack.created.v1',
  data: {
    stackId: 's1',
    experimentId: 'e1',
    name: 'Grid 7 focus series',
    frames: Array.from({ length: 5 }, (_, page) => ({ fileId: 'f-tif', page })),
    width: 1024,
    height: 768,
    pixelType: 'uint16',
    channels: 1,
    actor: 'mia',
  },
};
const bob = { userId: 'u-bob', username: 'bob' };
const directory = new Map([['bob', bob]]);
const box: AnnotationPin = { kind: 'rectangle', x: 100, y: 200, width: 300, height: 100 };

const annotate = (actor: Actor, overrides: { frame?: number; body?: string; pin?: AnnotationPin } = {}): StackCommand => ({
  type: 'AnnotateFrame',
  annotationId: 'a1',
  projectId: 'p1',
  frame: 2,
  body: 'Crack here, @bob',
  pin: box,
  directory,
  ...actor,
  ...overrides,
});
const annotated = (actor: string): StackEvent => ({
  type: 'projects.stack.annotated.v1',
  data: { stackId: 's1', experimentId: 'e1', projectId: 'p1', annotationId: 'a1', frame: 2, version: 1, body: 'Crack here, @bob', pin: box, mentions: [bob], actor },
});
const edit = (actor: Actor, body: string, pin?: AnnotationPin): StackCommand => ({ type: 'EditAnnotation', annotationId: 'a1', body, ...(pin ? { pin } : {}), directory, ...actor });

describe('Annotations: "Commenters and above annotate a frame of a stack; viewers see annotations" (L-19)', () => {
  describe('L-10 Commenter: "can see experiments in the project and comment/annotate stacks"', () => {
    it('a commenter annotates frame 3 with a rectangle; the people it mentions are named', () => {
      spec.given([made]).when(annotate(lab('cy', 'commenter'))).then([annotated('cy')]);
    });

    it('an annotation may be pinned to a point, or to nothing (the whole frame)', () => {
      const point: AnnotationPin = { kind: 'point', x: 1023, y: 767 };
      spec
        .given([made])
        .when(annotate(lab('cy', 'commenter'), { pin: point, body: 'corner' }))
        .then([{ ...annotated('cy'), data: { ...annotated('cy').data, body: 'corner', pin: point, mentions: [] } } as StackEvent]);
      const unpinned: StackCommand = { type: 'AnnotateFrame', annotationId: 'a1', projectId: 'p1', frame: 2, body: 'all of it', directory, ...lab('cy', 'commenter') };
      spec
        .given([made])
        .when(unpinned)
        .then([{ type: 'projects.stack.annotated.v1', data: { stackId: 's1', experimentId: 'e1', projectId: 'p1', annotationId: 'a1', frame: 2, version: 1, body: 'all of it', mentions: [], actor: 'cy' } }]);
    });

    it('an experimenter and an owner, above the commenter, annotate too; so does a facility Member', () => {
      spec.given([made]).when(annotate(lab('mia', 'experimenter'))).then([annotated('mia')]);
      spec.given([made]).when(annotate(lab('olga', 'owner'))).then([annotated('olga')]);
      spec.given([made]).when(annotate(facility('mo', 'member'))).then([annotated('mo')]);
    });
  });

  describe('L-11 Viewer: "Can see experiments and stacks in the project, but cannot comment/annotate"', () => {
    it('a viewer does not annotate, in either scheme', () => {
      spec.given([made]).when(annotate(lab('vic', 'viewer'))).thenThrows('requires.stacks.annotate', 'forbidden');
      spec.given([made]).when(annotate(facility('vic', 'viewer'))).thenThrows('requires.stacks.annotate', 'forbidden');
    });
  });

  describe('a pin lies on the frame, in its own pixels', () => {
    it.each([
      ['a frame past the last', { frame: 5 }, 'stacks.frame-out-of-range', 'frame'],
      ['a negative frame', { frame: -1 }, 'stacks.frame-out-of-range', 'frame'],
      ['a point past the right edge', { pin: { kind: 'point', x: 1024, y: 0 } as AnnotationPin }, 'stacks.pin-outside-frame', 'pin.x'],
      ['a rectangle reaching past the bottom', { pin: { ...box, y: 700 } }, 'stacks.pin-outside-frame', 'pin.height'],
      ['an empty rectangle', { pin: { ...box, width: 0 } }, 'stacks.pin-outside-frame', 'pin.width'],
      ['a fractional coordinate', { pin: { kind: 'point', x: 1.5, y: 2 } as AnnotationPin }, 'stacks.pin-outside-frame', 'pin.x'],
    ])('%s is refused, naming the field', (_what, overrides, rule, field) => {
      const error = spec.given([made]).when(annotate(lab('cy', 'commenter'), overrides)).thenThrows(rule, 'invalid');
      expect(error.details).toEqual({ errors: [expect.objectContaining({ field })] });
    });

    it('a blank body, or one longer than 10,000 characters, is refused', () => {
      spec.given([made]).when(annotate(lab('cy', 'commenter'), { body: '  ' })).thenThrows('fields.text-required', 'invalid');
      spec.given([made]).when(annotate(lab('cy', 'commenter'), { body: 'x'.repeat(10_001) })).thenThrows('fields.text-too-long', 'invalid');
    });
  });

  describe('edits keep their history', () => {
    it('the author revises the body and the pin: a new version, the first one kept in the stream', () => {
      const moved: AnnotationPin = { kind: 'point', x: 5, y: 6 };
      spec
        .given([made, annotated('cy')])
        .when(edit(lab('cy', 'commenter'), 'Two cracks', moved))
        .then([
          {
            type: 'projects.stack.annotation-edited.v1',
            data: { stackId: 's1', experimentId: 'e1', projectId: 'p1', annotationId: 'a1', frame: 2, version: 2, body: 'Two cracks', pin: moved, mentions: [], actor: 'cy' },
          },
        ]);
    });

    it('only the author edits an annotation, whatever the role of someone else', () => {
      spec.given([made, annotated('cy')]).when(edit(lab('olga', 'owner'), 'Mine now')).thenThrows('stacks.annotation-author-only', 'forbidden');
    });

    it('the same body and pin again change nothing', () => {
      spec.given([made, annotated('cy')]).when(edit(lab('cy', 'commenter'), 'Crack here, @bob', box)).then([]);
    });

    it('an author who became a viewer no longer edits', () => {
      spec.given([made, annotated('cy')]).when(edit(lab('cy', 'viewer'), 'Later')).thenThrows('requires.stacks.annotate', 'forbidden');
    });
  });

  it('a deleted stack takes no annotations', () => {
    spec
      .given([made, { type: 'projects.stack.deleted.v1', data: { stackId: 's1', experimentId: 'e1', actor: 'mia' } }])
      .when(annotate(lab('cy', 'commenter')))
      .thenThrows('stacks.not-found', 'not-found');
  });
});
