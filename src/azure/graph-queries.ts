// The Azure Resource Graph (KQL) queries amlnet sends. Kept apart so tests and the local test
// server can recognise them.

import { RESOURCE_TYPES } from './map-arm';

/** Rows per page: Resource Graph's maximum `$top`. */
export const GRAPH_PAGE_SIZE = 1000;
/** Subscriptions per query: Resource Graph takes at most 1,000 in `subscriptions`. */
export const GRAPH_SUBSCRIPTION_BATCH = 1000;

/** Every subscription the caller can read (the `resourcecontainers` table), with its name. */
export const SUBSCRIPTIONS_QUERY = [
  'resourcecontainers',
  "| where type =~ 'microsoft.resources/subscriptions'",
  '| project subscriptionId, name, state = tostring(properties.state)',
  '| order by subscriptionId asc',
].join('\n');

/**
 * Everything the model needs, in one paged query: NSGs, VNets (subnets are inside them), route
 * tables, Azure ML workspaces and computes, the NICs that have an NSG of their own, Azure Firewalls
 * and Firewall Policies. A policy's rule collection groups are child resources that the `resources`
 * table does not hold: read-azure.ts lists them per policy.
 */
export function resourcesQuery(): string {
  const types = [RESOURCE_TYPES.nsg, RESOURCE_TYPES.vnet, RESOURCE_TYPES.routeTable, RESOURCE_TYPES.workspace, RESOURCE_TYPES.compute, RESOURCE_TYPES.firewall, RESOURCE_TYPES.firewallPolicy];
  return [
    'resources',
    `| where type in~ (${types.map((t) => `'${t}'`).join(', ')})`,
    `    or (type =~ '${RESOURCE_TYPES.nic}' and isnotempty(properties.networkSecurityGroup))`,
    '| project id, name, type, location, subscriptionId, properties',
    '| order by id asc',
  ].join('\n');
}
