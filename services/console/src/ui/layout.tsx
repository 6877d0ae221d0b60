import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** The page's one heading, focused on arrival so a screen reader announces the new page. */
export function PageHeader({ title, subtitle, actions, eyebrow }: { title: string; subtitle?: ComponentChildren; actions?: ComponentChildren; eyebrow?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Cairn`;
    heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <div class="page-header">
      <div>
        {eyebrow && <p class="eyebrow">{eyebrow}</p>}
        <h1 tabIndex={-1} ref={heading}>
          {title}
        </h1>
        {subtitle && <p class="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div class="page-actions">{actions}</div>}
    </div>
  );
}

export function Card({ title, children, actions, id }: { title?: string; children: ComponentChildren; actions?: ComponentChildren; id?: string }) {
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section class="card" aria-labelledby={title ? headingId : undefined} id={id}>
      {(title || actions) && (
        <div class="card-header">
          {title && <h2 id={headingId}>{title}</h2>}
          {actions && <div class="card-actions">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const ABSOLUTE = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const EXACT = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

/** "3 minutes ago", with the exact time on hover and for assistive technology. */
export function relativeTime(iso: string, now = Date.now()): string {
  let amount = (Date.parse(iso) - now) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(amount) < size) return RELATIVE.format(Math.round(amount), unit);
    amount /= size;
  }
  return ABSOLUTE.format(new Date(iso));
}

export function Time({ iso }: { iso: string | undefined }) {
  if (!iso) return <span>—</span>;
  return (
    <time dateTime={iso} title={ABSOLUTE.format(new Date(iso))}>
      {relativeTime(iso)}
    </time>
  );
}

export function absoluteTime(iso: string): string {
  return ABSOLUTE.format(new Date(iso));
}

/** To the second: for the audit, where changes follow each other closely. */
export function exactTime(iso: string): string {
  return EXACT.format(new Date(iso));
}
