import type { ButtonHTMLAttributes, ComponentChildren } from 'preact';
import { roleLabel } from '../words';
import { useId } from 'preact/hooks';

interface FieldProps {
  label: string;
  /** Shown below the control, tied to it with aria-describedby. */
  hint?: ComponentChildren;
  error?: string;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ComponentChildren;
}

/** A labelled control with its hint and its error, each announced with the control. */
export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children({ id, ...(describedBy ? { 'aria-describedby': describedBy } : {}), ...(error ? { 'aria-invalid': true } : {}) })}
      {hint && (
        <p class="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

export function Button({ variant = 'secondary', busy, children, ...rest }: ButtonHTMLAttributes & { variant?: 'primary' | 'secondary' | 'danger' | 'quiet'; busy?: boolean }) {
  return (
    <button type="button" class={`button button-${variant}`} aria-busy={busy || undefined} {...rest} disabled={rest.disabled || busy}>
      {children}
    </button>
  );
}

/** The options of a level picker: the roles given, lowest first, as people read them. */
export function RoleOptions({ roles }: { roles: readonly string[] }) {
  return (
    <>
      {roles.map((role) => (
        <option key={role} value={role}>
          {roleLabel(role)}
        </option>
      ))}
    </>
  );
}
