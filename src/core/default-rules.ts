import data from './data/default-rules.json';
import type { Direction, SecurityRule } from './nsg';

/** The six rules every NSG has after its own, as the engine reads them. */
export const DEFAULT_RULES: readonly SecurityRule[] = data.rules.map((r) => ({
  name: r.name,
  priority: r.priority,
  direction: r.direction,
  access: r.access,
  protocol: '*',
  sourceAddresses: [r.source],
  sourcePorts: ['*'],
  destinationAddresses: [r.destination],
  destinationPorts: ['*'],
}));

export function defaultRulesFor(direction: Direction): readonly SecurityRule[] {
  return DEFAULT_RULES.filter((r) => r.direction === direction);
}

export const DEFAULT_RULE_NAMES: ReadonlySet<string> = new Set(DEFAULT_RULES.map((r) => r.name));
