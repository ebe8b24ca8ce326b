/** A value that cannot be known before deployment, with the reason (e.g. "parameter 'prefix' has no default"). */
export interface Unknown {
  readonly unknown: string;
}

/** A value read from a template or from Azure: either known, or unknown with a reason. */
export type Maybe<T> = T | Unknown;

export function isUnknown(value: unknown): value is Unknown {
  return typeof value === 'object' && value !== null && typeof (value as { unknown?: unknown }).unknown === 'string';
}

export function unknown(reason: string): Unknown {
  return { unknown: reason };
}
