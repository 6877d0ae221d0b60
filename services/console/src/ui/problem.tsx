import type { Problem } from '../api/client';

/** `change.user` → "User", `parameters.iterations` → "Parameter iterations", `If-Match` → "If-Match". */
export function fieldLabel(field: string): string {
  const parts = field.split('.');
  if (parts[0] === 'parameters' && parts.length > 1) return `Parameter ${parts.slice(1).join('.')}`;
  const last = parts[parts.length - 1].replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return last.charAt(0).toUpperCase() + last.slice(1);
}

const sentence = (text: string) => {
  const trimmed = text.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?)]$/.test(capitalised) ? capitalised : `${capitalised}.`;
};

/** What a problem document says, for people: a headline, each field's message, and the rule that refused. */
export function describeProblem(problem: Problem): { headline: string; fields: { field: string; label: string; message: string }[]; rule?: string } {
  const fields = (problem.errors ?? []).map((error) => ({ field: error.field, label: fieldLabel(error.field), message: error.message }));
  const rule = typeof problem.rule === 'string' && problem.rule !== 'validation' ? problem.rule : undefined;
  if (problem.status === 401) return { headline: 'Your sign-in has expired or was not accepted. Sign in again.', fields, rule };
  if (problem.status === 503) return { headline: `The platform is catching up: ${problem.detail} Try again in a moment.`, fields, rule };
  if (fields.length > 0) return { headline: fields.length === 1 ? 'One field needs another look.' : 'Some fields need another look.', fields, rule };
  return { headline: sentence(problem.detail || problem.title), fields, rule };
}

/** The message a form shows under `field`, when the problem names it. */
export function fieldProblem(problem: Problem | undefined, field: string): string | undefined {
  return problem?.errors?.find((error) => error.field === field)?.message;
}

/** A refusal or bad input, shown as words that name the field or the rule, never as the raw document. */
export function ProblemMessage({ problem, onDismiss }: { problem: Problem | undefined; onDismiss?: () => void }) {
  if (!problem) return null;
  const { headline, fields, rule } = describeProblem(problem);
  return (
    <div class="problem" role="alert">
      <p class="problem-headline">{headline}</p>
      {fields.length > 0 && (
        <ul class="problem-fields">
          {fields.map((field) => (
            <li key={field.field}>
              <strong>{field.label}</strong>: {field.message}
            </li>
          ))}
        </ul>
      )}
      {rule && (
        <p class="problem-rule">
          Rule <code>{rule}</code>
        </p>
      )}
      {onDismiss && (
        <button type="button" class="button-link" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
