import { DomainError } from '@cairn/contracts';
import { counter } from '@cairn/telemetry';
import { WrongExpectedVersionError } from './port';

/** How a command ended: it appended, it decided nothing needed to change, its rules refused it, it lost to another writer, or it broke. */
export type CommandOutcomeLabel = 'accepted' | 'unchanged' | 'refused' | 'conflict' | 'failed';

export const commandsHandled = counter({
  name: 'cairn_commands_total',
  help: 'Commands handled, by command type and outcome (accepted, unchanged, refused, conflict, failed).',
  labelNames: ['command', 'outcome'] as const,
});

export const appendsCommitted = counter({
  name: 'cairn_appends_total',
  help: 'Commits appended to the event store (one per command that changed something), by stream category.',
  labelNames: ['category'] as const,
});

export const appendConflicts = counter({
  name: 'cairn_append_conflicts_total',
  help: 'Appends refused because the stream had moved on since it was read, by stream category (those the handler retried included).',
  labelNames: ['category'] as const,
});

export function outcomeOfFailure(error: unknown): CommandOutcomeLabel {
  if (error instanceof DomainError) return 'refused';
  if (error instanceof WrongExpectedVersionError) return 'conflict';
  return 'failed';
}

/** Commands name themselves by their `type`; one without says which aggregate it was for. */
export function commandTypeOf(command: unknown, category: string): string {
  const type = (command as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : `${category} command`;
}
