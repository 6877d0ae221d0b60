/** URL names (labs, projects): ASCII-folded, lower-case, unique by numeric suffix. */
export const SLUG_MAX_LENGTH = 60;
const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Slugs share the URL space with ids (`/api/projects/:idOrSlug`), so one shaped like a UUID is refused. */
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Path words of the project pages and API that a slug would shadow. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'new',
  'edit',
  'settings',
  'access',
  'activity',
  'experiments',
  'users',
  'files',
  'jobs',
  'logbook',
  'deletion-requests',
  'api',
  'admin',
  'docs',
  'health',
]);
/** Used when a name has no letters or digits that fold to ASCII (e.g. only CJK or emoji). */
const FALLBACK_SLUG = 'project';

/** Letters NFKD does not decompose into an ASCII base letter plus marks. */
const ASCII_FOLDS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ł: 'l',
  ı: 'i',
  ħ: 'h',
  ŋ: 'ng',
};
const FOLDABLE = new RegExp(`[${Object.keys(ASCII_FOLDS).join('')}]`, 'g');

/** "Crème Brûlée — Straße 2024!" → "creme-brulee-strasse-2024". */
export function slugify(name: string, maxLength = SLUG_MAX_LENGTH): string {
  const folded = name
    .toLowerCase()
    .replace(FOLDABLE, (letter) => ASCII_FOLDS[letter])
    .normalize('NFKD')
    .replace(/\p{M}/gu, '');
  const slug = trimToLength(folded.replace(/[^a-z0-9]+/g, '-'), maxLength);
  return slug.length > 0 ? slug : FALLBACK_SLUG;
}

/** The base itself when free, else `<base>-2`, `<base>-3`, ... (shortening the base so the suffix fits). */
export function uniqueSlug(base: string, taken: ReadonlySet<string>, maxLength = SLUG_MAX_LENGTH): string {
  const usable = (slug: string) => !taken.has(slug) && slugProblem(slug, maxLength) === undefined;
  if (usable(base)) return base;
  for (let suffix = 2; ; suffix++) {
    const tail = `-${suffix}`;
    const candidate = `${trimToLength(base, maxLength - tail.length) || FALLBACK_SLUG}${tail}`;
    if (usable(candidate)) return candidate;
  }
}

/** Why `slug` cannot be used, or undefined when it can. */
/** What `slugProblem` accepts of a string, in JSON Schema's terms (for the OpenAPI documents). */
export const SLUG_SCHEMA = {
  pattern: SLUG_PATTERN.source,
  maxLength: SLUG_MAX_LENGTH,
  not: { anyOf: [{ enum: [...RESERVED_SLUGS] }, { pattern: UUID_SHAPE.source }] },
};

export function slugProblem(slug: string, maxLength = SLUG_MAX_LENGTH): string | undefined {
  if (slug.length === 0) return 'must not be empty';
  if (slug.length > maxLength) return `must be at most ${maxLength} characters`;
  if (!SLUG_PATTERN.test(slug)) {
    return 'may contain only lower-case letters a-z, digits and single hyphens between them';
  }
  if (RESERVED_SLUGS.has(slug)) return `"${slug}" is reserved`;
  if (UUID_SHAPE.test(slug)) return 'must not look like an id';
  return undefined;
}

function trimToLength(text: string, maxLength: number): string {
  return text.replace(/^-+/, '').slice(0, maxLength).replace(/-+$/, '');
}
