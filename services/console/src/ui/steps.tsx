import { useEffect, useRef } from 'preact/hooks';

/**
 * A step-by-step flow's steps, each reachable, the current one marked; and the current step's heading,
 * focused when the step changes so a screen reader announces it.
 */
export function StepNav({ label, steps, step, onStep }: { label: string; steps: readonly string[]; step: number; onStep(step: number): void }) {
  return (
    <nav aria-label={label} class="steps">
      <ol>
        {steps.map((name, index) => (
          <li key={name} class={index === step ? 'current' : index < step ? 'done' : ''}>
            <button type="button" class="button-link" aria-current={index === step ? 'step' : undefined} onClick={() => onStep(index)}>
              {index + 1}. {name}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}

export function StepHeading({ steps, step }: { steps: readonly string[]; step: number }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [step]);
  return (
    <h2 tabIndex={-1} ref={heading}>
      {step + 1}. {steps[step]}
    </h2>
  );
}
