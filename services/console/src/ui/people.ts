import { useConsole } from './context';
import { useLoad } from './use-load';
import { answer, type AccessSchemas } from '../api/client';
import type { NameOf } from '../words';

type Member = AccessSchemas['LabMemberDto'];

/**
 * The lab's people by user id, to name those whom answers name by id (activity, audit, requests). The
 * list is open to the lab's members and facility admins; for anyone else, ids stay ids.
 */
export function usePeople(lab: string | undefined) {
  const { api, session } = useConsole();
  const members = useLoad(async () => {
    if (!lab) return [] as Member[];
    const page = await answer(api.access.GET('/api/labs/{lab}/members', { params: { path: { lab }, query: { limit: 500 } } }));
    return page.items;
  }, [lab]);
  const byId = new Map((members.data ?? []).map((member) => [member.userId, member]));
  const nameOf: NameOf = (userId) => {
    if (!userId) return 'Someone';
    if (userId === session.person.userId) return `${session.person.displayName} (you)`;
    return byId.get(userId)?.displayName ?? userId;
  };
  return { members: members.data ?? [], nameOf, byId };
}
