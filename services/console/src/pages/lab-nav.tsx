import { Link } from '../router';

/** The tabs of a lab: its projects and its members. */
export function LabNav({ lab, current }: { lab: string; current: 'projects' | 'members' }) {
  const tabs = [
    ['projects', 'Projects'],
    ['members', 'Members'],
  ] as const;
  return (
    <nav aria-label="Lab" class="tabs">
      {tabs.map(([tab, label]) => (
        <Link key={tab} href={`/labs/${lab}/${tab}`} aria-current={tab === current ? 'page' : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );
}
