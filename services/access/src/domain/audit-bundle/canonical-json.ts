/**
 * The JSON Canonicalization Scheme (RFC 8785, JCS): the one byte sequence an audit bundle's links and
 * signatures are computed over, so that any JCS implementation, in any language, reproduces them.
 * - object members sorted by their names' UTF-16 code units, at every depth; no whitespace;
 * - strings escaped as ECMAScript's JSON.stringify does (RFC 8785 §3.2.2.2), lone surrogates refused;
 * - numbers in ECMAScript's shortest round-trip form (§3.2.2.3), -0 as 0, NaN and infinities refused;
 * - undefined members left out, as JSON.stringify does; anything else that is not JSON refused.
 */
export function jcs(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return canonicalString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`JCS has no form for the number ${value}`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : jcs(item))).join(',')}]`;
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
        throw new TypeError(`JCS takes plain JSON objects, not ${value.constructor?.name ?? 'this object'}`);
      }
      return `{${Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort(byCodeUnits)
        .map((key) => `${canonicalString(key)}:${jcs((value as Record<string, unknown>)[key])}`)
        .join(',')}}`;
    default:
      throw new TypeError(`JCS has no form for a ${typeof value}`);
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function canonicalString(text: string): string {
  if (LONE_SURROGATE.test(text)) throw new TypeError('JCS refuses a string with a lone surrogate (it is not Unicode)');
  return JSON.stringify(text);
}

/** RFC 8785 §3.2.3 sorts by UTF-16 code units: what `<` on JavaScript strings compares (not locale order). */
function byCodeUnits(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
