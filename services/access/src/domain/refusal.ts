import { DomainError, type DomainErrorKind } from '@cairn/contracts';

/** A DomainError whose message ends with the rule's id, so whoever reads only the message can still look the rule up. */
export function refusal(kind: DomainErrorKind, rule: string, message: string): DomainError {
  return new DomainError(kind, rule, `${message} (rule ${rule})`);
}
