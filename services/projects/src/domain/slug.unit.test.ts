import { DomainError } from '@cairn/contracts';
import { slugify, uniqueSlug, SLUG_MAX_LENGTH } from '@cairn/contracts';
import { generateSlug, requireAvailableSlug } from './slug';

const none = new Set<string>();

describe('"The slug - used in the URL - will be auto-generated from the name"', () => {
  it.each([
    ['Ribosome Structure 2024', 'ribosome-structure-2024'],
    ['Crème Brûlée', 'creme-brulee'],
    ['Straße ẞ', 'strasse-ss'],
    ['Ærø Œuvre Øresund Łódź', 'aero-oeuvre-oresund-lodz'],
    ['ﬁne Ｆｕｌｌｗｉｄｔｈ ①', 'fine-fullwidth-1'],
    ['  --Hello,   World!!--  ', 'hello-world'],
    ['a_b.c/d\\e', 'a-b-c-d-e'],
  ])('%p becomes %p: lower case, ASCII-folded, other characters to single hyphens, trimmed', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('a name with nothing that folds to ASCII still gets a slug', () => {
    expect(slugify('リボソーム 🧬')).toBe('project');
  });

  it(`is at most ${SLUG_MAX_LENGTH} characters and never ends in a hyphen when cut`, () => {
    const slug = slugify(`${'a'.repeat(59)} tail`);
    expect(slug).toBe('a'.repeat(59));
    expect(slugify('word '.repeat(30)).length).toBeLessThanOrEqual(SLUG_MAX_LENGTH);
  });
});

describe('"slug generated from the name (unique in the lab) unless given"', () => {
  it('a free slug is used as is', () => {
    expect(generateSlug('Ribosome', none)).toBe('ribosome');
  });

  it('a taken slug gets the first free numeric suffix', () => {
    expect(generateSlug('Ribosome', new Set(['ribosome']))).toBe('ribosome-2');
    expect(generateSlug('Ribosome', new Set(['ribosome', 'ribosome-2', 'ribosome-3']))).toBe('ribosome-4');
  });

  it('a long slug is shortened so that its suffix fits', () => {
    const base = 'a'.repeat(SLUG_MAX_LENGTH);
    const slug = uniqueSlug(base, new Set([base]));
    expect(slug).toBe(`${'a'.repeat(SLUG_MAX_LENGTH - 2)}-2`);
  });

  it('a name that slugs to a reserved word or an id-shaped string gets a suffix instead', () => {
    expect(generateSlug('New', none)).toBe('new-2');
    expect(generateSlug('0190A5C2-7F1E-7000-8000-000000000000', none)).toBe('0190a5c2-7f1e-7000-8000-000000000000-2');
  });
});

describe('"you have an opportunity to edit it at creation if you’d like": a given slug is checked', () => {
  const refusal = (slug: string, taken = none): DomainError => {
    try {
      requireAvailableSlug(slug, taken);
    } catch (error) {
      return error as DomainError;
    }
    throw new Error(`"${slug}" was accepted`);
  };

  it('a well-formed free slug is accepted', () => {
    expect(requireAvailableSlug('ribo-2024', none)).toBe('ribo-2024');
  });

  it.each([
    ['', 'must not be empty'],
    ['a'.repeat(SLUG_MAX_LENGTH + 1), `must be at most ${SLUG_MAX_LENGTH} characters`],
    ['Ribo', 'may contain only lower-case letters a-z, digits and single hyphens between them'],
    ['ribo--2024', 'may contain only lower-case letters a-z, digits and single hyphens between them'],
    ['-ribo', 'may contain only lower-case letters a-z, digits and single hyphens between them'],
    ['crème', 'may contain only lower-case letters a-z, digits and single hyphens between them'],
    ['new', '"new" is reserved'],
    ['settings', '"settings" is reserved'],
    ['0190a5c2-7f1e-7000-8000-000000000000', 'must not look like an id'],
  ])('%p is invalid: %s', (slug, message) => {
    const error = refusal(slug);
    expect(error).toMatchObject({ kind: 'invalid', rule: 'slugs.format', details: { errors: [{ field: 'slug', message }] } });
  });

  it('a slug used by another project of the lab is a conflict naming the field', () => {
    expect(refusal('ribo', new Set(['ribo']))).toMatchObject({
      kind: 'conflict',
      rule: 'slugs.taken-in-lab',
      details: { errors: [{ field: 'slug', message: expect.any(String) }] },
    });
  });
});
