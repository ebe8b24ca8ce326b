/**
 * What a template can ask about the deployment it runs in: `resourceGroup()`, `subscription()`,
 * `reference()`. Before deployment these are symbolic; a reader that knows more (a nested
 * deployment into a named resource group) passes it in.
 */
import type { Value } from '../template/value';
import { symbolic } from './arm-values';

/** The scope a template deploys to, from its `$schema`. */
export type DeploymentScopeKind = 'resourceGroup' | 'subscription' | 'managementGroup' | 'tenant';

/** A `reference()` or `list*()` call, for a reader that can resolve it (a resource in the same template). */
export interface ReferenceCall {
  /** The function as written, e.g. "reference" or "listKeys". */
  readonly name: string;
  readonly args: readonly Value[];
  /** The call's source text, for messages. */
  readonly text: string;
}

/** Hooks and values for the deployment-dependent functions; every field is optional. */
export interface DeploymentContext {
  /** Defaults to "resourceGroup". */
  readonly scope?: DeploymentScopeKind;
  /** What `resourceGroup()` returns; by default an object of symbolic `id`, `name`, `location`. */
  readonly resourceGroup?: Value;
  /** What `subscription()` returns; by default an object of symbolic `id`, `subscriptionId`, `tenantId`. */
  readonly subscription?: Value;
  readonly tenant?: Value;
  readonly managementGroup?: Value;
  readonly deployment?: Value;
  readonly environment?: Value;
  /** Resolves `reference()` and `list*()`; return undefined to get the default symbolic value. */
  resolveReference?(call: ReferenceCall): Value | undefined;
}

/** `resourceGroup()` before deployment: its name, id and location are known only then. */
export const SYMBOLIC_RESOURCE_GROUP: Value = Object.freeze({
  id: symbolic('resourceGroup().id', 'resourceGroup().id', 'string'),
  name: symbolic('resourceGroup().name', 'resourceGroup().name', 'string'),
  type: 'Microsoft.Resources/resourceGroups',
  location: symbolic('resourceGroup().location', 'resourceGroup().location', 'string'),
  managedBy: symbolic('resourceGroup().managedby', 'resourceGroup().managedBy', 'string'),
  tags: symbolic('resourceGroup().tags', 'resourceGroup().tags', 'object'),
  properties: symbolic('resourceGroup().properties', 'resourceGroup().properties', 'object'),
});

/** `subscription()` before deployment. */
export const SYMBOLIC_SUBSCRIPTION: Value = Object.freeze({
  id: symbolic('subscription().id', 'subscription().id', 'string'),
  subscriptionId: symbolic('subscription().subscriptionid', 'subscription().subscriptionId', 'string'),
  tenantId: symbolic('subscription().tenantid', 'subscription().tenantId', 'string'),
  displayName: symbolic('subscription().displayname', 'subscription().displayName', 'string'),
});
