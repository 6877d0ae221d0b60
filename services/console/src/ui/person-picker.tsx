import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { answer, type AccessSchemas } from '../api/client';
import { useConsole } from './context';

export type DirectoryEntry = AccessSchemas['DirectoryEntryDto'];

const SEARCH_DELAY_MS = 150;

/**
 * "The user field autocompletes by username or display name - search for the user you'd like and
 * select them by clicking on them" (and by e-mail, and from the keyboard): the ARIA combobox pattern
 * over the lab's members.
 */
/** Where suggestions come from, and how the field says so: by default the lab's members. */
export interface PeopleSource {
  search(text: string): Promise<DirectoryEntry[]>;
  /** Whom it suggests and how to find them, under the field. */
  hint: string;
  /** What the list says when nobody matches. */
  none: string;
}

export function PersonPicker({ lab, label, exclude = [], onPick, error, source }: { lab?: string; label: string; exclude?: string[]; onPick(person: DirectoryEntry | undefined): void; error?: string; source?: PeopleSource }) {
  const { api } = useConsole();
  const people: PeopleSource = source ?? {
    search: async (text) => (await answer(api.access.GET('/api/users', { params: { query: { lab: lab!, q: text, limit: 8 } } }))).items,
    hint: 'People of the lab: type the start of their username, name or e-mail, then pick them.',
    none: 'Nobody of the lab matches.',
  };
  const id = useId();
  const [text, setText] = useState('');
  const [options, setOptions] = useState<DirectoryEntry[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [picked, setPicked] = useState<DirectoryEntry | undefined>();
  const input = useRef<HTMLInputElement>(null);
  const excluded = new Set(exclude);

  useEffect(() => {
    if (picked || text.trim() === '') {
      setOptions([]);
      return;
    }
    const timer = setTimeout(() => {
      void people.search(text.trim()).then(
        (found) => {
          setOptions(found.filter((person) => !excluded.has(person.userId)));
          setActive(-1);
          setOpen(true);
        },
        () => setOptions([]),
      );
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, lab, picked]);

  const pick = (person: DirectoryEntry | undefined) => {
    setPicked(person);
    setOpen(false);
    setText(person ? '' : text);
    onPick(person);
    if (!person) setTimeout(() => input.current?.focus());
  };

  if (picked) {
    return (
      <div class="field">
        <span class="label" id={`${id}-label`}>
          {label}
        </span>
        <div class="picked" aria-labelledby={`${id}-label`}>
          <span class="avatar avatar-small" aria-hidden="true">
            {picked.displayName.charAt(0)}
          </span>
          <span>
            <strong>{picked.displayName}</strong> <span class="muted">@{picked.username}{picked.email ? ` · ${picked.email}` : ''}</span>
          </span>
          <button type="button" class="button button-quiet" onClick={() => pick(undefined)}>
            Change person
          </button>
        </div>
      </div>
    );
  }

  const listId = `${id}-options`;
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((index) => Math.min(index + 1, options.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => Math.max(index - 1, 0));
    } else if (event.key === 'Enter' && open && active >= 0 && options[active]) {
      event.preventDefault();
      pick(options[active]);
    } else if (event.key === 'Escape') {
      setOpen(false);
    }
  };
  const showList = open && text.trim() !== '';
  return (
    <div class={`field combobox${error ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        ref={input}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList && active >= 0 ? `${listId}-${active}` : undefined}
        aria-describedby={`${id}-hint`}
        aria-invalid={error ? true : undefined}
        autoComplete="off"
        value={text}
        placeholder="Username, name or e-mail"
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <p class="field-hint" id={`${id}-hint`}>
        {people.hint}
      </p>
      {error && <p class="field-error">{error}</p>}
      <ul id={listId} role="listbox" aria-label={`${label}: suggestions`} class="combobox-options" hidden={!showList}>
        {options.length === 0 && showList && (
          <li class="combobox-empty" role="presentation">
            {people.none}
          </li>
        )}
        {options.map((person, index) => (
          <li
            key={person.userId}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={index === active}
            class={index === active ? 'active' : ''}
            onMouseDown={(event) => {
              event.preventDefault();
              pick(person);
            }}
          >
            <strong>{person.displayName}</strong> <span class="muted">@{person.username}{person.email ? ` · ${person.email}` : ''}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
