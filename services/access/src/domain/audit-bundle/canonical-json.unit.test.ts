import { jcs } from './canonical-json';

/** RFC 8785 (JCS): the examples of its sections 3.2.2 and 3.2.3, and what it refuses. */
describe('JCS canonical JSON (RFC 8785)', () => {
  it('sorts members by UTF-16 code units at every depth and drops whitespace (§3.2.3)', () => {
    const sorting = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    expect([...jcs(sorting).matchAll(/:"([^"]+)"/g)].map(([, value]) => value)).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
    expect(jcs({ b: [1, { d: true, c: null }], a: 'x' })).toBe('{"a":"x","b":[1,{"c":null,"d":true}]}');
  });

  it('writes numbers in their shortest round-trip form and strings with the minimal escapes (§3.2.2)', () => {
    expect(jcs({ numbers: [Number('333333333.33333329'), 1e30, 4.5, 2e-3, 0.000001, -0, 1e21, 1e-7] })).toBe('{"numbers":[333333333.3333333,1e+30,4.5,0.002,0.000001,0,1e+21,1e-7]}');
    expect(jcs({ string: '\u20ac$\u000f\nA\'B"\\\\"/' })).toBe('{"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('refuses what JSON cannot say exactly: non-finite numbers, lone surrogates, non-plain objects', () => {
    expect(() => jcs(Number.NaN)).toThrow(TypeError);
    expect(() => jcs({ text: '\ud800' })).toThrow(/lone surrogate/);
    expect(() => jcs(new Date(0))).toThrow(/plain JSON objects/);
  });
});
