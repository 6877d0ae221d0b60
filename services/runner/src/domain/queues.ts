import { ALL_MACHINES, machineKeyOf, type Machine } from '@cairn/contracts';

export class RunnerConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunnerConfigurationError';
  }
}

/** `cpu/standard,gpu/turbo` → those machines' queues; absent or empty: every queue. */
export function parseQueues(value: string | undefined): Machine[] {
  if (value === undefined || value.trim() === '') return [...ALL_MACHINES];
  const known = new Map(ALL_MACHINES.map((machine) => [machineKeyOf(machine), machine]));
  const chosen = new Map<string, Machine>();
  for (const key of value.split(',').map((part) => part.trim())) {
    const machine = known.get(key);
    if (!machine) throw new RunnerConfigurationError(`--queues: "${key}" is no machine queue; use ${[...known.keys()].join(', ')}`);
    chosen.set(key, machine);
  }
  return [...chosen.values()];
}
