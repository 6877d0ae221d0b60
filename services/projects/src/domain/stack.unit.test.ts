import type { StackEvent } from '@cairn/contracts';
import { deciderSpec } from '@cairn/testing';
import { stackDecider, type MeasuredFrame, type StackCommand } from './stack';
import type { Actor } from './guards';
import { facility, lab } from './testing/projects.fixtures';

const spec = deciderSpec(stackDecider);

const frame = (page: number, overrides: Partial<MeasuredFrame> = {}): MeasuredFrame => ({ fileId: 'f-tif', page, width: 1024, height: 768, pixelType: 'uint16', channels: 1, ...overrides });
const make = (actor: Actor, frames = [frame(0), frame(1), frame(2)], name = 'Grid 7 focus series'): StackCommand => ({ type: 'CreateStack', stackId: 's1', experimentId: 'e1', name, frames, ...actor });
const made = (actor: string, frameCount = 3): StackEvent => ({
  type: 'projects.stack.created.v1',
  data: {
    stackId: 's1',
    experimentId: 'e1',
    name: 'Grid 7 focus series',
    frames: Array.from({ length: frameCount }, (_, page) => ({ fileId: 'f-tif', page })),
    width: 1024,
    height: 768,
    pixelType: 'uint16',
    channels: 1,
    actor,
  },
});
const rename = (actor: Actor, name = 'Focus series, grid 7'): StackCommand => ({ type: 'RenameStack', name, ...actor });
const remove = (actor: Actor): StackCommand => ({ type: 'DeleteStack', ...actor });

describe('Stacks: "an ordered set of image frames in an experiment"', () => {
  describe('Experimenter: "Full access to experiments to the project, including creating/adding them, making stacks and uploads, etc"', () => {
    it('an experimenter makes a stack: its frames in order, with their size and pixel type', () => {
      spec.given([]).when(make(lab('mia', 'experimenter'))).then([made('mia')]);
    });

    it('an experimenter renames and deletes a stack', () => {
      spec
        .given([made('mia')])
        .when(rename(lab('eli', 'experimenter')))
        .then([{ type: 'projects.stack.renamed.v1', data: { stackId: 's1', experimentId: 'e1', name: 'Focus series, grid 7', actor: 'eli' } }]);
      spec.given([made('mia')]).when(remove(lab('eli', 'experimenter'))).then([{ type: 'projects.stack.deleted.v1', data: { stackId: 's1', experimentId: 'e1', actor: 'eli' } }]);
    });

    it('an owner, above the experimenter, does too', () => {
      spec.given([]).when(make(lab('olga', 'owner'))).then([made('olga')]);
    });
  });

  describe('Commenter: "Can see experiments in the project and comment/annotate stacks", but not make them', () => {
    it('a commenter neither makes, renames nor deletes a stack', () => {
      spec.given([]).when(make(lab('cy', 'commenter'))).thenThrows('requires.stacks.write', 'forbidden');
      spec.given([made('mia')]).when(rename(lab('cy', 'commenter'))).thenThrows('requires.stacks.write', 'forbidden');
      spec.given([made('mia')]).when(remove(lab('cy', 'commenter'))).thenThrows('requires.stacks.write', 'forbidden');
    });
  });

  describe('Viewer: "Can see experiments and stacks in the project, but cannot comment/annotate"', () => {
    it('a viewer neither makes, renames nor deletes a stack', () => {
      spec.given([]).when(make(lab('vic', 'viewer'))).thenThrows('requires.stacks.write', 'forbidden');
      spec.given([made('mia')]).when(rename(facility('vic', 'viewer'))).thenThrows('requires.stacks.write', 'forbidden');
      spec.given([made('mia')]).when(remove(facility('vic', 'viewer'))).thenThrows('requires.stacks.write', 'forbidden');
    });
  });

  it('facility roles map alike: a Member, who "can upload data", makes stacks; a Viewer, who "cannot modify anything", does not', () => {
    spec.given([]).when(make(facility('mia', 'member'))).then([made('mia')]);
    spec.given([]).when(make(facility('vic', 'viewer'))).thenThrows('requires.stacks.write', 'forbidden');
  });

  describe("a stack's frames share one size and pixel type", () => {
    it.each([
      ['size', frame(1, { width: 512 }), 'frame 2 (file f-tif, page 2) is 512×768 uint16 with 1 channel, frame 1 is 1024×768 uint16 with 1 channel: a stack\'s frames share size and pixel type'],
      ['pixel type', frame(1, { pixelType: 'uint8' }), 'frame 2 (file f-tif, page 2) is 1024×768 uint8 with 1 channel, frame 1 is 1024×768 uint16 with 1 channel: a stack\'s frames share size and pixel type'],
      ['channels', frame(1, { channels: 3 }), 'frame 2 (file f-tif, page 2) is 1024×768 uint16 with 3 channels, frame 1 is 1024×768 uint16 with 1 channel: a stack\'s frames share size and pixel type'],
    ])('a frame of another %s is refused, naming it', (_what, odd, message) => {
      const error = spec.given([]).when(make(lab('mia', 'experimenter'), [frame(0), odd])).thenThrows('stacks.frames-differ', 'invalid');
      expect(error.details).toEqual({ errors: [{ field: 'frames', message }] });
    });

    it('a stack has at least one frame and a name', () => {
      spec.given([]).when(make(lab('mia', 'experimenter'), [])).thenThrows('stacks.frames-required', 'invalid');
      spec.given([]).when(make(lab('mia', 'experimenter'), [frame(0)], '  ')).thenThrows('fields.name-required', 'invalid');
    });
  });

  it('a deleted stack is gone: renaming or deleting it again finds nothing', () => {
    const deleted: StackEvent = { type: 'projects.stack.deleted.v1', data: { stackId: 's1', experimentId: 'e1', actor: 'mia' } };
    spec.given([made('mia'), deleted]).when(rename(lab('mia', 'experimenter'))).thenThrows('stacks.not-found', 'not-found');
    spec.given([made('mia'), deleted]).when(remove(lab('mia', 'experimenter'))).thenThrows('stacks.not-found', 'not-found');
  });

  it('renaming to the same name changes nothing', () => {
    spec.given([made('mia')]).when(rename(lab('mia', 'experimenter'), 'Grid 7 focus series')).then([]);
  });
});
