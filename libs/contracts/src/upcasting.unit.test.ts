import { defineEvent } from './event-definition';
import { EventRegistry } from './registry';
import { Upcaster, Upcasters } from './upcasting';

// A made-up history: v1 had one `name`; v2 split it; v3 added a title.
interface GuestArrivedV1 {
  name: string;
}
interface GuestArrivedV2 {
  firstName: string;
  lastName: string;
}
interface GuestArrivedV3 extends GuestArrivedV2 {
  title: string | null;
}

const v1ToV2: Upcaster<GuestArrivedV1, GuestArrivedV2> = {
  from: 'hotel.guest.arrived.v1',
  to: 'hotel.guest.arrived.v2',
  upcast: ({ name }) => {
    const [firstName, ...rest] = name.split(' ');
    return { firstName, lastName: rest.join(' ') };
  },
};
const v2ToV3: Upcaster<GuestArrivedV2, GuestArrivedV3> = {
  from: 'hotel.guest.arrived.v2',
  to: 'hotel.guest.arrived.v3',
  upcast: (data) => ({ ...data, title: null }),
};

const anySchema = { type: 'object' };
const guestArrived = (version: number) =>
  defineEvent<unknown>()({ type: `hotel.guest.arrived.v${version}`, description: 'A guest arrived.', schema: anySchema });

describe('Upcasters', () => {
  const upcasters = new Upcasters([v2ToV3, v1ToV2]);

  it('lifts an old event step by step to the newest version', () => {
    const stored = { id: 'e-1', type: 'hotel.guest.arrived.v1', data: { name: 'Ada King Lovelace' }, streamversion: 3 };

    expect(upcasters.upcast(stored)).toEqual({
      id: 'e-1',
      type: 'hotel.guest.arrived.v3',
      data: { firstName: 'Ada', lastName: 'King Lovelace', title: null },
      streamversion: 3,
    });
  });

  it('starts from whatever version the event has', () => {
    expect(upcasters.upcast({ type: 'hotel.guest.arrived.v2', data: { firstName: 'Ada', lastName: 'King' } })).toEqual({
      type: 'hotel.guest.arrived.v3',
      data: { firstName: 'Ada', lastName: 'King', title: null },
    });
  });

  it('leaves the newest version, and events without upcasters, untouched', () => {
    const newest = { type: 'hotel.guest.arrived.v3', data: { firstName: 'Ada', lastName: 'King', title: 'Countess' } };
    const other = { type: 'hotel.room.cleaned.v1', data: { room: 12 } };

    expect(upcasters.upcast(newest)).toBe(newest);
    expect(upcasters.upcast(other)).toBe(other);
  });

  it('does not change the stored event', () => {
    const stored = { type: 'hotel.guest.arrived.v1', data: { name: 'Ada King' } };
    upcasters.upcast(stored);
    expect(stored).toEqual({ type: 'hotel.guest.arrived.v1', data: { name: 'Ada King' } });
  });

  it('refuses an upcaster that changes the event rather than its version', () => {
    expect(() => new Upcasters([{ from: 'hotel.guest.arrived.v1', to: 'hotel.guest.left.v2', upcast: (data) => data }])).toThrow(
      'must stay within one event',
    );
  });

  it('refuses an upcaster that goes back in versions', () => {
    expect(() => new Upcasters([{ from: 'hotel.guest.arrived.v2', to: 'hotel.guest.arrived.v1', upcast: (data) => data }])).toThrow(
      'must go to a newer version',
    );
  });

  it('refuses two upcasters from the same version', () => {
    expect(() => new Upcasters([v1ToV2, { ...v1ToV2, to: 'hotel.guest.arrived.v3' }])).toThrow('two upcasters start at hotel.guest.arrived.v1');
  });

  describe('against the catalogue', () => {
    it('accepts a chain that brings every superseded version to the newest', () => {
      expect(() => upcasters.assertConsistentWith(new EventRegistry([guestArrived(1), guestArrived(2), guestArrived(3)]))).not.toThrow();
    });

    it('refuses a catalogue with a new version whose upcaster is missing', () => {
      expect(() => new Upcasters([v1ToV2]).assertConsistentWith(new EventRegistry([guestArrived(1), guestArrived(2), guestArrived(3)]))).toThrow(
        'hotel.guest.arrived.v2 is upcast to hotel.guest.arrived.v2, but the newest version is hotel.guest.arrived.v3',
      );
    });

    it('refuses an upcaster to a version the catalogue does not define', () => {
      expect(() => upcasters.assertConsistentWith(new EventRegistry([guestArrived(1), guestArrived(2)]))).toThrow(
        'upcaster hotel.guest.arrived.v2 → hotel.guest.arrived.v3: hotel.guest.arrived.v3 is not registered',
      );
    });
  });
});
