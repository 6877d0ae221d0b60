import type { ComponentChildren } from 'preact';

/** A column heading: its text, or a cell whose heading is for assistive technology only (actions, selection). */
export type Column = string | { label: ComponentChildren; hidden?: boolean; class?: string };

/** The console's tables: a caption for assistive technology, column headings, then the rows given. */
export function Table({ caption, columns, children, class: className }: { caption: string; columns: Column[]; children: ComponentChildren; class?: string }) {
  return (
    <table class={`table${className ? ` ${className}` : ''}`}>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column, index) => {
            const { label, hidden, class: cellClass } = typeof column === 'string' ? { label: column, hidden: false, class: undefined } : column;
            return (
              <th key={index} scope="col" class={cellClass}>
                {hidden ? <span class="visually-hidden">{label}</span> : label}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
