import type { Link, ModelElement, WorkspaceModel } from './workspace-model';

/** The Azure resource type of each kind of element, for links made by type and name. */
const TYPE_OF: Record<ModelElement['kind'], string> = {
  vnet: 'microsoft.network/virtualnetworks',
  subnet: 'microsoft.network/virtualnetworks/subnets',
  nsg: 'microsoft.network/networksecuritygroups',
  nic: 'microsoft.network/networkinterfaces',
  'route-table': 'microsoft.network/routetables',
  'aml-workspace': 'microsoft.machinelearningservices/workspaces',
  'aml-compute': 'microsoft.machinelearningservices/workspaces/computes',
  firewall: 'microsoft.network/azurefirewalls',
  'firewall-policy': 'microsoft.network/firewallpolicies',
};

/** The kinds of element of each type (one each). */
const KINDS_OF = new Map<string, ModelElement['kind'][]>();
for (const kind of Object.keys(TYPE_OF) as ModelElement['kind'][]) {
  const list = KINDS_OF.get(TYPE_OF[kind]);
  if (list) list.push(kind);
  else KINDS_OF.set(TYPE_OF[kind], [kind]);
}

/** The model's list that holds elements of `kind`. */
function elementsOf(model: WorkspaceModel, kind: ModelElement['kind']): readonly ModelElement[] {
  switch (kind) {
    case 'vnet': return model.vnets;
    case 'subnet': return model.subnets;
    case 'nsg': return model.nsgs;
    case 'nic': return model.nics;
    case 'route-table': return model.routeTables;
    case 'aml-workspace': return model.workspaces;
    case 'aml-compute': return model.computes;
    case 'firewall': case 'firewall-policy': return model.firewalls;
  }
}

/**
 * Reads a resource id (or the literal tail of one) into its type and name:
 * `/subscriptions/../providers/Microsoft.Network/virtualNetworks/vnet/subnets/compute` →
 * type `microsoft.network/virtualnetworks/subnets`, name `compute`, parent `vnet`.
 */
export function parseResourceId(id: string): { type: string; name: string; parent?: string } | undefined {
  // After the last `/providers/` (in any case), leading slashes left out.
  let from = 0;
  for (let j = id.indexOf('/'); j >= 0; j = id.indexOf('/', j + 1)) {
    if (isProviders(id, j)) from = j + PROVIDERS.length;
  }
  while (id.charCodeAt(from) === 47) from++;
  const parts = (from === 0 ? id : id.slice(from)).split('/');
  const n = parts.length;
  if (n < 3 || n % 2 === 0) return undefined;
  // namespace/type/name(/type/name)*: the type is the namespace and every type segment.
  let type = parts[0];
  for (let k = 1; k < n; k += 2) {
    if (parts[k + 1] === '') return undefined;
    type = `${type}/${parts[k]}`;
  }
  return { type: type.toLowerCase(), name: parts[n - 1], parent: n > 3 ? parts[n - 3] : undefined };
}

const PROVIDERS = '/providers/';

/** Whether `/providers/` (in any case) starts at offset `at` of `id`. */
function isProviders(id: string, at: number): boolean {
  if (id.length - at < PROVIDERS.length) return false;
  // The letters in either case (ASCII: `| 32` lowercases them), then the closing slash.
  for (let k = 1; k < PROVIDERS.length - 1; k++) {
    if ((id.charCodeAt(at + k) | 32) !== PROVIDERS.charCodeAt(k)) return false;
  }
  return id.charCodeAt(at + PROVIDERS.length - 1) === 47;
}

/** One element as a link by name can find it: its key, its VNet's name (lowercase) for a subnet, and its deployment. */
interface Candidate {
  readonly key: string;
  readonly parent: string | undefined;
  readonly deployment: string | undefined;
}

/**
 * Resolves the links readers left as type and name (resource ids) to element keys, across every
 * file of the model. A link that matches no element, or several, keeps its reason.
 *
 * When the model holds several deployments (elements carry their `deployment`: several entry
 * templates read together), a link resolves to an element of its own deployment when that
 * deployment has one of that type and name; only when it has none does it look at the other
 * deployments (a template deployed on its own that refers to a VNet declared in another file),
 * and there it links only to the one element that answers, never to one of several equal names
 * (each entry deploying the same module, say).
 */
export function linkModel(model: WorkspaceModel): WorkspaceModel {
  // Elements of one type by the lowercase name they answer to (in model order); made when the
  // first link to that type needs it (readers resolve most links themselves).
  const index = new Map<string, Map<string, Candidate[]>>();
  let vnetByKey: Map<string, string> | undefined;
  const byName = (type: string): Map<string, Candidate[]> | undefined => {
    let names = index.get(type);
    if (names) return names;
    const kinds = KINDS_OF.get(type);
    if (!kinds) return undefined;
    names = new Map();
    index.set(type, names);
    for (const kind of kinds) {
      for (const e of elementsOf(model, kind)) {
        if (e.kind !== kind) continue;
        // A subnet answers to its name, with its VNet's name as the parent.
        let parent: string | undefined;
        if (e.kind === 'subnet' && e.vnet) {
          if (!vnetByKey) {
            vnetByKey = new Map();
            for (const v of model.vnets) vnetByKey.set(v.key, v.name);
          }
          parent = vnetByKey.get(e.vnet)?.toLowerCase();
        }
        const c: Candidate = { key: e.key, parent, deployment: e.deployment };
        const name = e.name.toLowerCase();
        const list = names.get(name);
        if (list) list.push(c);
        else names.set(name, [c]);
      }
    }
    return names;
  };
  /** Resolves a link of an element of deployment `own`. */
  const resolve = (link: Link | undefined, own: string | undefined): Link | undefined => {
    if (!link || link.target || !link.ref) return link;
    const parent = link.ref.parent?.toLowerCase();
    const all = byName(link.ref.type.toLowerCase())?.get(link.ref.name.toLowerCase());
    // Matches in the link's own deployment, and in the others.
    let found: Candidate | undefined;
    let count = 0;
    let foundElsewhere: Candidate | undefined;
    let elsewhere: string[] | undefined;
    if (all) {
      for (const c of all) {
        if (parent && c.parent && c.parent !== parent) continue;
        if (own === undefined || c.deployment === own) {
          count++;
          found ??= c;
        } else {
          foundElsewhere ??= c;
          (elsewhere ??= []).push(c.deployment ?? '?');
        }
      }
    }
    if (count === 1) return copyWith(link, 'target', found!.key, 'unresolved', undefined);
    if (count > 1) return copyWith(link, 'unresolved', `${count} resources named ${link.ref.name} match; amlnet cannot tell which one is meant`);
    if (elsewhere?.length === 1) return copyWith(link, 'target', foundElsewhere!.key, 'unresolved', undefined);
    if (elsewhere) {
      const entries = [...new Set(elsewhere)];
      const listed = entries.length > 3 ? `${entries.slice(0, 3).join(', ')} and ${entries.length - 3} more` : entries.join(', ');
      return copyWith(link, 'unresolved', `${elsewhere.length} resources named ${link.ref.name} are declared by other deployments (${listed}) and none by this one (${own}); amlnet cannot tell which one is meant`);
    }
    return copyWith(link, 'unresolved', link.unresolved ?? `no ${link.ref.type.split('/').pop()} named ${link.ref.name} is declared in the files read`);
  };
  const resolveAll = (links: readonly Link[], own: string | undefined): readonly Link[] => {
    let out: Link[] | undefined;
    for (let i = 0; i < links.length; i++) {
      const l = resolve(links[i], own)!;
      if (l !== links[i]) (out ??= links.slice())[i] = l;
    }
    return out ?? links;
  };
  return {
    ...model,
    subnets: model.subnets.map((s) => withLinks(s, 'nsg', resolve(s.nsg, s.deployment), 'routeTable', resolve(s.routeTable, s.deployment))),
    nics: model.nics.map((n) => withLinks(n, 'nsg', resolve(n.nsg, n.deployment), 'subnets', resolveAll(n.subnets, n.deployment))),
    computes: model.computes.map((c) => withLinks(c, 'subnet', resolve(c.subnet, c.deployment), 'workspace', resolve(c.workspace, c.deployment))),
    firewalls: model.firewalls.map((f) => (f.basePolicy
      ? withLinks(f, 'policy', resolve(f.policy, f.deployment), 'basePolicy', resolve(f.basePolicy, f.deployment))
      : withLinks(f, 'policy', resolve(f.policy, f.deployment)))),
  };
}

/**
 * `copyWith`, or the object itself when the copy would hold the very same keys and values (the
 * links were resolved by the reader already, as most are): no copy per element.
 */
function withLinks<T extends object, K1 extends keyof T, K2 extends keyof T>(obj: T, k1: K1, v1: T[K1], k2?: K2, v2?: T[K2]): T {
  const same = obj[k1] === v1 && Object.hasOwn(obj, k1) && (k2 === undefined || (obj[k2] === v2 && Object.hasOwn(obj, k2)));
  return same ? obj : copyWith(obj, k1, v1, k2, v2);
}

/**
 * `{ ...obj, [k1]: v1, [k2]: v2 }`: the object's own keys in order, a given key replaced where it
 * is or else added at the end. Written out because V8 copies by spread objects of the model's
 * many shapes through a slow runtime call (about a microsecond each).
 */
function copyWith<T extends object, K1 extends keyof T, K2 extends keyof T>(obj: T, k1: K1, v1: T[K1], k2?: K2, v2?: T[K2]): T {
  const out: Record<string, unknown> = {};
  const from = obj as Record<string, unknown>;
  for (const k of Object.keys(from)) put(out, k, from[k]);
  put(out, k1 as string, v1);
  if (k2 !== undefined) put(out, k2 as string, v2);
  return out as T;
}

/** Sets a data property as spread does (`__proto__` as an own key, not the prototype). */
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
