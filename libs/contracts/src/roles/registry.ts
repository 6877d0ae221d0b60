import { invalid } from '../errors';
import { facilityScheme } from './facility.scheme';
import { labScheme } from './lab.scheme';
import type { RoleScheme } from './role-scheme';

export type SchemeRegistry = Readonly<Record<string, RoleScheme>>;

export function schemeRegistry(...schemes: RoleScheme[]): SchemeRegistry {
  const registry: Record<string, RoleScheme> = {};
  for (const scheme of schemes) {
    if (registry[scheme.name]) throw new Error(`role scheme "${scheme.name}" is registered twice`);
    registry[scheme.name] = scheme;
  }
  return registry;
}

/** The schemes Cairn ships; a new scheme is one more argument here. */
export const roleSchemes: SchemeRegistry = schemeRegistry(facilityScheme, labScheme);

export function schemeByName(name: string, schemes: SchemeRegistry = roleSchemes): RoleScheme {
  const scheme = Object.hasOwn(schemes, name) ? schemes[name] : undefined;
  if (!scheme) {
    throw invalid('access.unknown-scheme', `"${name}" is not a role scheme (schemes: ${Object.keys(schemes).join(', ')}) (rule access.unknown-scheme)`);
  }
  return scheme;
}
