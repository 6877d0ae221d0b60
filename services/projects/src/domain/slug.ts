import { conflict, invalidField, slugify, slugProblem, uniqueSlug } from '@cairn/contracts';

/** The slug for a new project named `name`, unique among `taken` (the lab's slugs). */
export function generateSlug(name: string, taken: ReadonlySet<string>): string {
  return uniqueSlug(slugify(name), taken);
}

/** Refuses a user-given slug that is malformed, reserved or already used in the lab. */
export function requireAvailableSlug(slug: string, taken: ReadonlySet<string>, field = 'slug'): string {
  const problem = typeof slug === 'string' ? slugProblem(slug) : 'must be text';
  if (problem) throw invalidField('slugs.format', field, problem);
  if (taken.has(slug)) {
    throw conflict('slugs.taken-in-lab', `${field}: "${slug}" is already used by another project of the lab`, {
      errors: [{ field, message: 'is already used by another project of the lab' }],
    });
  }
  return slug;
}

