import type { AddressEntry, Nsg, SecurityRule } from '../../src/core/nsg';
import type { Maybe } from '../../src/core/maybe';
import { regionNamed, type Region } from '../../src/core/region';
import type { RemoteSpec, ResolvedTagRequirement, TagRequirementSpec } from '../../src/core/requirement';

/** A rule with sensible defaults: TCP, any source port, from/to `*`. */
export function rule(name: string, priority: Maybe<number>, over: Partial<SecurityRule> = {}): SecurityRule {
  return {
    name,
    priority,
    direction: 'Outbound',
    access: 'Allow',
    protocol: 'Tcp',
    sourceAddresses: ['*'],
    sourcePorts: ['*'],
    destinationAddresses: ['*'],
    destinationPorts: ['*'],
    ...over,
  };
}

export function outbound(name: string, priority: Maybe<number>, access: string, to: AddressEntry[], ports: Maybe<string>[], over: Partial<SecurityRule> = {}): SecurityRule {
  return rule(name, priority, { direction: 'Outbound', access, sourceAddresses: ['VirtualNetwork'], destinationAddresses: to, destinationPorts: ports, ...over });
}

export function inbound(name: string, priority: Maybe<number>, access: string, from: AddressEntry[], ports: Maybe<string>[], over: Partial<SecurityRule> = {}): SecurityRule {
  return rule(name, priority, { direction: 'Inbound', access, sourceAddresses: from, destinationAddresses: ['VirtualNetwork'], destinationPorts: ports, ...over });
}

/** An NSG in westeurope unless another location is given. */
export function nsg(rules: SecurityRule[], location: Region | undefined = regionNamed('westeurope'), name = 'nsg-compute'): Nsg {
  return { name, location, rules };
}

/** A requirement built directly (the catalog's own tests cover the catalog). */
export function requirement(
  id: string,
  direction: 'Inbound' | 'Outbound',
  protocol: 'Tcp' | 'Udp' | '*',
  ports: string[],
  remote: RemoteSpec[],
): ResolvedTagRequirement {
  const spec: TagRequirementSpec = { kind: 'service-tag', id, direction, protocol, ports, remote, purpose: 'test', docs: 'https://example.invalid', source: 'test' };
  return { kind: 'service-tag', id, direction, protocol, ports, remote, spec };
}
