// `amlnet requirements --format json`: the selection as a stable JSON document. In core so the
// CLI and the language server (`amlnet/requirements`) print the same thing.

import { DEFAULT_EDITION, describeConditions } from './catalog';
import type { CatalogOptions, Edition, RemoteSpec, Selection } from '../requirement';

/**
 * `amlnet requirements --format json`. Stable: fields are only ever added, never renamed or
 * removed; `formatVersion` changes if that promise is ever broken.
 */
export interface RequirementsJson {
  readonly formatVersion: 1;
  readonly edition: EditionJson;
  /** The options in effect (defaults, then the config file, then flags); `region` null when not set. */
  readonly options: Omit<CatalogOptions, 'region'> & { readonly region: string | null };
  /** The configuration file used, as given; null when none. */
  readonly configFile: string | null;
  readonly requirements: readonly RequirementJson[];
  readonly notApplicable: readonly { readonly id: string; readonly kind: 'service-tag' | 'host'; readonly because: string }[];
}

/** One edition in JSON output (`requirements` and `editions`). */
export interface EditionJson {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly docs: string;
  readonly notes: readonly string[];
  /** For a user edition, the edition it extends; null for a built-in one. */
  readonly extends: string | null;
  readonly isDefault: boolean;
}

/** One applicable requirement: ports with conditional ports folded in, `<region>` filled when the region is known. */
export type RequirementJson =
  | {
    readonly id: string;
    readonly kind: 'service-tag';
    readonly direction: 'Inbound' | 'Outbound';
    readonly protocol: 'Tcp' | 'Udp' | '*';
    readonly ports: readonly string[];
    /** Each remote is needed; `name` is the tag as it applies (e.g. `Storage.westeurope`, or `Storage.<region>` when the region is not set). */
    readonly remote: readonly { readonly tag: string; readonly regional: boolean; readonly docName: string | null; readonly name: string }[];
    readonly purpose: string;
    readonly notes: readonly string[];
    /** The conditions in words ("always" when none). */
    readonly when: string;
    readonly source: string;
    readonly docs: string;
  }
  | {
    readonly id: string;
    readonly kind: 'host';
    readonly host: string;
    readonly protocol: 'Http' | 'Https' | 'Tcp' | 'Udp';
    readonly ports: readonly string[];
    readonly purpose: string;
    readonly notes: readonly string[];
    readonly when: string;
    readonly source: string;
    readonly docs: string;
  };

/** A remote as it applies: `Storage.westeurope`, or `Storage.<region>` when the region is not set. */
export function remoteName(remote: RemoteSpec, region: string | undefined): string {
  return remote.regional ? `${remote.tag}.${region ?? '<region>'}` : remote.tag;
}

export function editionJson(edition: Edition): EditionJson {
  return {
    name: edition.name,
    title: edition.title,
    description: edition.description,
    docs: edition.docs,
    notes: edition.notes ?? [],
    extends: edition.extends ?? null,
    isDefault: edition.name === DEFAULT_EDITION,
  };
}

/** The selection as the stable JSON document. */
export function selectionJson(selection: Selection, configFile: string | undefined): RequirementsJson {
  const { edition, options } = selection;
  const requirements = selection.applicable.map((r): RequirementJson => {
    const common = { purpose: r.spec.purpose, notes: r.spec.notes ?? [], when: describeConditions(r.spec.when), source: r.spec.source, docs: r.spec.docs };
    if (r.kind === 'host') return { id: r.id, kind: 'host', host: r.host, protocol: r.protocol, ports: r.ports, ...common };
    return {
      id: r.id,
      kind: 'service-tag',
      direction: r.direction,
      protocol: r.protocol,
      ports: r.ports,
      remote: r.remote.map((m) => ({ tag: m.tag, regional: m.regional ?? false, docName: m.docName ?? null, name: remoteName(m, options.region) })),
      ...common,
    };
  });
  return {
    formatVersion: 1,
    edition: editionJson(edition),
    options: { ...options, region: options.region ?? null },
    configFile: configFile ?? null,
    requirements,
    notApplicable: selection.notApplicable.map((n) => ({ id: n.spec.id, kind: n.spec.kind, because: n.because })),
  };
}

