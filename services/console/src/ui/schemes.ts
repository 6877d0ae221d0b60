import { answer, type AccessSchemas } from '../api/client';
import { useConsole } from './context';
import { useLoad } from './use-load';

export type RoleScheme = AccessSchemas['RoleSchemeDto'];

const SCHEME_WORDS: Record<string, { title: string; summary: string }> = {
  facility: { title: 'Facility', summary: 'Owner, Manager, Member, Viewer. Exactly one owner; people are added one by one.' },
  lab: { title: 'Lab', summary: 'Owner, Experimenter, Commenter, Viewer, None. A base level gives every lab member a level.' },
};

export function schemeWords(name: string) {
  return SCHEME_WORDS[name] ?? { title: name, summary: '' };
}

/** The role schemes as the access service serves them (roles lowest first, grant rules, base levels). */
export function useRoleSchemes() {
  const { api } = useConsole();
  const schemes = useLoad(() => answer(api.access.GET('/api/role-schemes')), []);
  return { schemes: schemes.data ?? [], problem: schemes.problem, byName: (name: string) => schemes.data?.find((scheme) => scheme.name === name) };
}

/** The levels a base level can be: every role below owner (the services refuse an owner base level: `lab.base-level-below-owner`). */
export const baseLevelRoles = (scheme: RoleScheme) => scheme.roles.filter((role) => role !== 'owner');
