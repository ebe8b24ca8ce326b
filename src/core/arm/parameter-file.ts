/**
 * ARM parameter files (`deploymentParameters.json`): the values they give, ready for
 * `ArmScope.forTemplate(template, { parameterValues })`. Their values are plain JSON, never
 * evaluated as expressions; a Key Vault reference is a value fixed only at deployment.
 */
import { UnknownValue, type Value } from '../template/value';
import { Budget, jsonToValue, setKey, symbolic } from './arm-values';

/** The values of a parameter file, by parameter name; anything unreadable is an UnknownValue. */
export function parameterFileValues(json: unknown): Record<string, Value> {
  const out: Record<string, Value> = {};
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return out;
  const params = (json as { parameters?: unknown }).parameters;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return out;
  const budget = new Budget(Number.MAX_SAFE_INTEGER);
  for (const [name, entry] of Object.entries(params as Record<string, unknown>)) {
    setKey(out, name, entryValue(name, entry, budget));
  }
  return out;
}

function entryValue(name: string, entry: unknown, budget: Budget): Value {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return new UnknownValue(`the parameter file gives '${name}' as ${JSON.stringify(entry)}, not as {"value": ...}`);
  }
  const e = entry as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(e, 'value')) return jsonToValue(e.value, budget);
  const ref = e.reference as { keyVault?: { id?: unknown }; secretName?: unknown; secretVersion?: unknown } | undefined;
  if (typeof ref === 'object' && ref !== null && typeof ref.secretName === 'string') {
    const vault = typeof ref.keyVault?.id === 'string' ? ref.keyVault.id : '?';
    const version = typeof ref.secretVersion === 'string' ? `/${ref.secretVersion}` : '';
    return symbolic(`keyvault:${vault.toLowerCase()}/secrets/${ref.secretName}${version}`, `Key Vault secret '${ref.secretName}'`);
  }
  return new UnknownValue(`the parameter file gives '${name}' neither a value nor a Key Vault reference`);
}
