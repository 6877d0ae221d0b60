import { answer } from '../api/client';
import { useConsole } from './context';
import { useLoad } from './use-load';

/** The caller's labs (every lab for a facility admin), and the one with slug `slug` among them. */
export function useLabs(slug?: string) {
  const { api } = useConsole();
  const labs = useLoad(() => answer(api.access.GET('/api/labs', { params: { query: { limit: 500 } } })), []);
  return { labs, lab: labs.data?.items.find((candidate) => candidate.slug === slug) };
}
