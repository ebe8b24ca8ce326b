import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import {
  BUILT_IN_EDITIONS,
  DEFAULT_EDITION,
  defaultOptions,
  describeConditions,
  getEdition,
  hostRequirementId,
  listEditions,
  selectRequirements,
  selectRequirementsForValues,
  withRequirements,
  type CustomEditions,
} from '../../src/core/catalog/catalog';
import { parseConfig } from '../../src/core/catalog/custom-config';
import {
  CLOUDS,
  PACKAGE_SOURCES,
  type CatalogOptions,
  type Condition,
  type Edition,
  type HostRequirementSpec,
  type RequirementSpec,
  type ResolvedHostRequirement,
  type ResolvedTagRequirement,
  type TagRequirementSpec,
} from '../../src/core/requirement';

// The expected tables below are written from /work/shared/requirements (the 2022-09 document and
// the README's 2025-02 facts), not from the JSON: they fail if the data drifts from the source.

const on = (option: 'publicIp' | 'hbi' | 'storageFirewall' | 'aks' | 'vscode', is = true): Condition[] => [{ option, is }];
const pkg = (includes: (typeof PACKAGE_SOURCES)[number]): Condition[] => [{ option: 'packages', includes }];

interface TagRow {
  readonly id: string;
  readonly direction: 'Inbound' | 'Outbound';
  readonly protocol?: 'Tcp' | 'Udp' | '*';
  readonly ports: readonly string[];
  readonly remote: readonly { tag: string; regional?: boolean; docName?: string }[];
  readonly when?: readonly Condition[];
  readonly conditionalPorts?: readonly { ports: readonly string[]; when: readonly Condition[] }[];
  readonly purpose?: string;
}

/** The 2022-09 service-tag table, its footnotes and the IMPORTANT no-public-IP note. "The protocol for all items is TCP." */
const TAG_TABLE_2022_09: readonly TagRow[] = [
  {
    id: 'aml-in-batch-node-management', direction: 'Inbound', ports: ['29876-29877'], remote: [{ tag: 'BatchNodeManagement' }], when: on('publicIp'),
    purpose: "Create, update, and delete of Azure Machine Learning compute instance and compute cluster. It isn't required if you use No Public IP option.",
  },
  {
    id: 'aml-in-azure-machine-learning', direction: 'Inbound', ports: ['44224'], remote: [{ tag: 'AzureMachineLearning' }], when: on('publicIp'),
    purpose: "Create, update, and delete of Azure Machine Learning compute instance. It isn't required if you use No Public IP option.",
  },
  { id: 'aml-in-vnet-batch', direction: 'Inbound', ports: ['29876-29877'], remote: [{ tag: 'VirtualNetwork' }], when: on('publicIp', false) },
  { id: 'aml-in-load-balancer', direction: 'Inbound', ports: ['44224'], remote: [{ tag: 'AzureLoadBalancer' }], when: on('publicIp', false) },
  { id: 'aml-out-azure-active-directory', direction: 'Outbound', ports: ['80', '443'], remote: [{ tag: 'AzureActiveDirectory' }], purpose: 'Authentication using Azure AD.' },
  {
    id: 'aml-out-azure-machine-learning', direction: 'Outbound', ports: ['443', '8787', '18881'], remote: [{ tag: 'AzureMachineLearning' }],
    purpose: 'Using Azure Machine Learning services.',
  },
  {
    id: 'aml-out-batch-node-management', direction: 'Outbound', ports: ['443'],
    remote: [{ tag: 'BatchNodeManagement', regional: true, docName: 'BatchNodeManagement.region' }],
    purpose: 'Communication with Azure Batch back-end for computes. Replace region with the Azure region of your workspace.',
  },
  {
    id: 'aml-out-azure-resource-manager', direction: 'Outbound', ports: ['443'], remote: [{ tag: 'AzureResourceManager' }],
    purpose: 'Creation of Azure resources with Azure Machine Learning.',
  },
  {
    id: 'aml-out-storage', direction: 'Outbound', ports: ['443'], remote: [{ tag: 'Storage', regional: true, docName: 'Storage.region' }],
    conditionalPorts: [{ ports: ['445'], when: on('storageFirewall') }],
    purpose: 'Access data stored in the Azure Storage Account for compute cluster and compute instance. This outbound can be used to exfiltrate data. For more information, see Data exfiltration protection.',
  },
  {
    id: 'aml-out-front-door', direction: 'Outbound', ports: ['443'], remote: [{ tag: 'AzureFrontDoor.Frontend', docName: 'AzureFrontDoor.FrontEnd' }],
    when: [{ option: 'cloud', notIn: ['AzureChinaCloud'] }],
    purpose: 'Global entry point for Azure Machine Learning studio. Store images and environments for AutoML.',
  },
  {
    id: 'aml-out-container-registry', direction: 'Outbound', ports: ['443'],
    remote: [{ tag: 'MicrosoftContainerRegistry', regional: true, docName: 'MicrosoftContainerRegistry.region' }, { tag: 'AzureFrontDoor.FirstParty' }],
    purpose: 'Access docker images provided by Microsoft. Setup of the Azure Machine Learning router for Azure Kubernetes Service.',
  },
  {
    id: 'aml-out-azure-monitor', direction: 'Outbound', ports: ['443'], remote: [{ tag: 'AzureMonitor' }],
    purpose: 'Used to log monitoring and metrics to App Insights and Azure Monitor.',
  },
  {
    id: 'aml-out-key-vault', direction: 'Outbound', ports: ['443'], remote: [{ tag: 'AzureKeyVault', regional: true, docName: 'Keyvault.region' }], when: on('hbi'),
    purpose: 'Access the key vault for the Azure Batch service. Only needed if your workspace was created with the hbi_workspace flag enabled.',
  },
];

interface HostRow {
  readonly id: string;
  readonly host: string;
  readonly when: readonly Condition[];
  readonly protocol?: HostRequirementSpec['protocol'];
  readonly ports?: readonly string[];
  readonly purpose?: string;
}

const VS_EXT = 'Required to download and install VS Code extensions. These enable the remote connection to Compute Instances provided by the Azure ML extension for VS Code, see Connect to an Azure Machine Learning compute instance in Visual Studio Code for more information.';
const WEBSOCKET = 'raw.githubusercontent.com/microsoft/vscode-tools-for-ai/master/azureml_remote_websocket_server/*';

/** The 2022-09 host-name table and the AKS section (all HTTPS 443). */
const HOST_TABLE_2022_09: readonly HostRow[] = [
  { id: 'aml-host-anaconda-com', host: 'anaconda.com', when: pkg('conda'), purpose: 'Used to install default packages.' },
  { id: 'aml-host-wildcard-anaconda-com', host: '*.anaconda.com', when: pkg('conda'), purpose: 'Used to install default packages.' },
  { id: 'aml-host-wildcard-anaconda-org', host: '*.anaconda.org', when: pkg('conda'), purpose: 'Used to get repo data.' },
  {
    id: 'aml-host-pypi-org', host: 'pypi.org', when: pkg('pip'),
    purpose: "Used to list dependencies from the default index, if any, and the index isn't overwritten by user settings. If the index is overwritten, you must also allow *.pythonhosted.org.",
  },
  { id: 'aml-host-wildcard-pythonhosted-org', host: '*.pythonhosted.org', when: pkg('pip-custom-index') },
  { id: 'aml-host-cloud-r-project-org', host: 'cloud.r-project.org', when: pkg('cran'), purpose: 'Used when installing CRAN packages for R development.' },
  { id: 'aml-host-wildcard-pytorch-org', host: '*pytorch.org', when: pkg('pytorch'), purpose: 'Used by some examples based on PyTorch.' },
  { id: 'aml-host-wildcard-tensorflow-org', host: '*.tensorflow.org', when: pkg('tensorflow'), purpose: 'Used by some examples based on Tensorflow.' },
  {
    id: 'aml-host-code-visualstudio-com', host: 'code.visualstudio.com', when: on('vscode'),
    purpose: 'Required to download and install VS Code desktop. This is not required for VS Code Web.',
  },
  {
    id: 'aml-host-update-code-visualstudio-com', host: 'update.code.visualstudio.com', when: on('vscode'),
    purpose: 'Used to retrieve VS Code server bits that are installed on the compute instance through a setup script.',
  },
  {
    id: 'aml-host-wildcard-vo-msecnd-net', host: '*.vo.msecnd.net', when: on('vscode'),
    purpose: 'Used to retrieve VS Code server bits that are installed on the compute instance through a setup script.',
  },
  { id: 'aml-host-marketplace-visualstudio-com', host: 'marketplace.visualstudio.com', when: on('vscode'), purpose: VS_EXT },
  { id: 'aml-host-vscode-blob-core-windows-net', host: 'vscode.blob.core.windows.net', when: on('vscode'), purpose: VS_EXT },
  { id: 'aml-host-wildcard-gallerycdn-vsassets-io', host: '*.gallerycdn.vsassets.io', when: on('vscode'), purpose: VS_EXT },
  {
    id: 'aml-host-vscode-websocket-server', host: WEBSOCKET, when: on('vscode'),
    purpose: 'Used to retrieve websocket server bits, which are installed on the compute instance. The websocket server is used to transmit requests from Visual Studio Code client (desktop application) to Visual Studio Code server running on the compute instance.',
  },
  { id: 'aml-host-mcr-microsoft-com', host: 'mcr.microsoft.com', when: on('aks') },
];

/** The README's 2025-02 service-tag table (and "No public IP: no inbound rules are needed"). */
const TAG_TABLE_2025_02: readonly TagRow[] = [
  { id: 'aml-out-azure-active-directory', direction: 'Outbound', ports: ['80', '443'], remote: [{ tag: 'AzureActiveDirectory' }] },
  { id: 'aml-out-azure-machine-learning', direction: 'Outbound', ports: ['443', '18881'], remote: [{ tag: 'AzureMachineLearning' }] },
  { id: 'aml-out-azure-machine-learning-udp', direction: 'Outbound', protocol: 'Udp', ports: ['5831'], remote: [{ tag: 'AzureMachineLearning' }] },
  {
    id: 'aml-out-batch-node-management', direction: 'Outbound', protocol: '*', ports: ['443'],
    remote: [{ tag: 'BatchNodeManagement', regional: true, docName: 'BatchNodeManagement.region' }],
  },
  { id: 'aml-out-azure-resource-manager', direction: 'Outbound', ports: ['443'], remote: [{ tag: 'AzureResourceManager' }] },
  {
    id: 'aml-out-storage', direction: 'Outbound', ports: ['443'], remote: [{ tag: 'Storage', regional: true, docName: 'Storage.region' }],
    conditionalPorts: [{ ports: ['445'], when: on('storageFirewall') }],
  },
  {
    id: 'aml-out-front-door', direction: 'Outbound', ports: ['443'], remote: [{ tag: 'AzureFrontDoor.Frontend', docName: 'AzureFrontDoor.FrontEnd' }],
    when: [{ option: 'cloud', notIn: ['AzureChinaCloud'] }],
  },
  {
    id: 'aml-out-container-registry', direction: 'Outbound', ports: ['443'],
    remote: [{ tag: 'MicrosoftContainerRegistry', regional: true, docName: 'MicrosoftContainerRegistry.region' }, { tag: 'AzureFrontDoor.FirstParty' }],
  },
  { id: 'aml-out-virtual-network', direction: 'Outbound', ports: ['443'], remote: [{ tag: 'VirtualNetwork' }], when: [{ option: 'privateEndpoints', is: true }] },
  { id: 'aml-out-azure-monitor', direction: 'Outbound', ports: ['443'], remote: [{ tag: 'AzureMonitor' }], when: [{ option: 'monitorPrivateLink', is: false }] },
  { id: 'aml-out-key-vault', direction: 'Outbound', ports: ['443'], remote: [{ tag: 'AzureKeyVault', regional: true, docName: 'Keyvault.region' }], when: on('hbi') },
  { id: 'aml-out-rstudio', direction: 'Outbound', ports: ['8787'], remote: [{ tag: 'AzureMachineLearning' }], when: [{ option: 'rstudio', is: true }] },
  { id: 'aml-in-azure-machine-learning', direction: 'Inbound', ports: ['44224'], remote: [{ tag: 'AzureMachineLearning' }], when: on('publicIp') },
];

const cloud = (c: (typeof CLOUDS)[number]): Condition[] => [{ option: 'cloud', in: [c] }];
const PUBLIC_2025: readonly [string, HostRequirementSpec['protocol'], readonly string[]][] = [
  ['ml.azure.com', 'Https', ['443']], ['*.azureml.ms', 'Https', ['443']], ['*.azureml.net', 'Https', ['443']],
  ['*.modelmanagement.azureml.net', 'Https', ['443']], ['*.notebooks.azure.net', 'Https', ['443']], ['graph.microsoft.com', 'Https', ['443']],
  ['*.aznbcontent.net', 'Https', ['443']], ['automlresources-prod.azureedge.net', 'Https', ['443']], ['aka.ms', 'Https', ['443']],
  ['mcr.microsoft.com', 'Https', ['443']], ['*.data.mcr.microsoft.com', 'Https', ['443']], ['*.vault.azure.net', 'Https', ['443']],
  ['*.instances.azureml.ms', 'Tcp', ['443', '8787', '18881']], ['<region>.tundra.azureml.ms', 'Udp', ['5831']],
  ['*.<region>.batch.azure.com', 'Https', ['443']], ['*.<region>.service.batch.azure.com', 'Https', ['443']],
  ['*.blob.core.windows.net', 'Https', ['443']], ['*.queue.core.windows.net', 'Https', ['443']], ['*.table.core.windows.net', 'Https', ['443']],
  ['graph.windows.net', 'Https', ['443']],
];
const CHINA_2025 = ['*.ml.azure.cn', '*.azureml.cn', 'studio.ml.azure.cn', '<region>.tundra.azureml.cn'];
const VSCODE_HOSTS = HOST_TABLE_2022_09.filter((r) => r.when[0].option === 'vscode').map((r) => r.host);

const ed = (name: string): Edition => getEdition(name);
const spec = (edition: Edition, id: string): RequirementSpec => {
  const found = edition.requirements.find((r) => r.id === id);
  assert.ok(found, `${edition.name} has no requirement ${id}`);
  return found;
};
const tagSpec = (edition: Edition, id: string): TagRequirementSpec => {
  const s = spec(edition, id);
  assert.equal(s.kind, 'service-tag', id);
  return s as TagRequirementSpec;
};
const hostSpecs = (edition: Edition): HostRequirementSpec[] => edition.requirements.filter((r): r is HostRequirementSpec => r.kind === 'host');
const opts = (over: Partial<CatalogOptions> = {}): CatalogOptions => ({ ...defaultOptions(), ...over });
const applicableIds = (edition: Edition, over: Partial<CatalogOptions> = {}): string[] => selectRequirements(edition, opts(over)).applicable.map((r) => r.id);
const because = (edition: Edition, id: string, over: Partial<CatalogOptions> = {}): string | undefined =>
  selectRequirements(edition, opts(over)).notApplicable.find((n) => n.spec.id === id)?.because;
const resolvedTag = (edition: Edition, id: string, over: Partial<CatalogOptions> = {}): ResolvedTagRequirement => {
  const r = selectRequirements(edition, opts(over)).applicable.find((a) => a.id === id);
  assert.ok(r && r.kind === 'service-tag', `${id} should apply`);
  return r;
};
const normRemote = (remote: TagRequirementSpec['remote']): unknown => remote.map((r) => ({ tag: r.tag, regional: r.regional ?? false, docName: r.docName }));

function checkTagRows(edition: Edition, rows: readonly TagRow[]): void {
  for (const row of rows) {
    const s = tagSpec(edition, row.id);
    assert.equal(s.direction, row.direction, `${row.id} direction`);
    assert.equal(s.protocol, row.protocol ?? 'Tcp', `${row.id} protocol`);
    assert.deepEqual(s.ports, row.ports, `${row.id} ports`);
    assert.deepEqual(normRemote(s.remote), normRemote(row.remote), `${row.id} remote`);
    assert.deepEqual(s.when ?? [], row.when ?? [], `${row.id} conditions`);
    assert.deepEqual((s.conditionalPorts ?? []).map((c) => ({ ports: c.ports, when: c.when })), row.conditionalPorts ?? [], `${row.id} conditional ports`);
    if (row.purpose !== undefined) assert.equal(s.purpose, row.purpose, `${row.id} purpose`);
    assert.ok(s.source.startsWith(edition.name), `${row.id} source names the edition: ${s.source}`);
  }
  const tagIds = edition.requirements.filter((r) => r.kind === 'service-tag').map((r) => r.id).sort();
  assert.deepEqual(tagIds, rows.map((r) => r.id).sort(), `${edition.name}: exactly the service-tag rows of the source`);
}

describe('catalog: editions', () => {
  it('has the two built-in editions, 2022-09 by default', () => {
    assert.equal(DEFAULT_EDITION, '2022-09');
    assert.deepEqual(listEditions().map((e) => e.name), ['2022-09', '2025-02']);
    assert.deepEqual(BUILT_IN_EDITIONS.map((e) => e.name), ['2022-09', '2025-02']);
    for (const e of BUILT_IN_EDITIONS) {
      assert.equal(e.docs, 'https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall');
      assert.ok(e.title.length > 0 && e.description.length > 0, e.name);
    }
  });

  it('names the known editions when asked for an unknown one', () => {
    assert.throws(() => getEdition('2023-01'), { message: 'unknown edition "2023-01"; known editions: 2022-09 (default), 2025-02' });
  });

  it('gives every requirement a unique, well-formed id, and host ids follow the host name', () => {
    for (const e of BUILT_IN_EDITIONS) {
      const ids = e.requirements.map((r) => r.id);
      assert.equal(new Set(ids).size, ids.length, `${e.name}: duplicate ids`);
      for (const r of e.requirements) {
        assert.match(r.id, /^aml-(in|out|host)-[a-z0-9]+(-[a-z0-9]+)*$/, r.id);
        assert.ok(r.purpose.length > 0 && r.source.length > 0 && r.docs.startsWith('https://'), r.id);
        assert.ok(!/\]\(|\*\*|<\/?br>/.test(r.purpose), `${r.id}: purpose keeps markdown: ${r.purpose}`);
        if (r.kind === 'host' && r.id !== 'aml-host-vscode-websocket-server' && r.host !== '*pytorch.org') assert.equal(r.id, hostRequirementId(r.host), r.host);
      }
    }
    assert.equal(hostRequirementId('*.anaconda.com'), 'aml-host-wildcard-anaconda-com');
    assert.equal(hostRequirementId('anaconda.com'), 'aml-host-anaconda-com');
    assert.equal(hostRequirementId('*pytorch.org'), 'aml-host-wildcard-pytorch-org');
    assert.equal(hostRequirementId('<region>.tundra.azureml.ms'), 'aml-host-region-tundra-azureml-ms');
  });

  it('validates every built-in requirement against the .amlnet.json schema (the schema and the data agree)', () => {
    for (const e of BUILT_IN_EDITIONS) {
      const text = JSON.stringify({ editions: { [`copy-of-${e.name}`]: { extends: e.name, replace: e.requirements } } });
      const result = parseConfig(text);
      assert.deepEqual(result.errors, [], e.name);
    }
  });

  it('keeps an id for the same requirement across editions', () => {
    const [a, b] = BUILT_IN_EDITIONS;
    const shared = a.requirements.filter((r) => b.requirements.some((s) => s.id === r.id));
    assert.ok(shared.length >= 20, `only ${shared.length} shared ids`);
    for (const r of shared) {
      const s = spec(b, r.id);
      assert.equal(s.kind, r.kind, r.id);
      if (r.kind === 'service-tag' && s.kind === 'service-tag') {
        assert.equal(s.direction, r.direction, r.id);
        assert.equal(s.remote[0].tag, r.remote[0].tag, r.id);
      }
      if (r.kind === 'host' && s.kind === 'host' && r.host !== '*pytorch.org') assert.equal(s.host, r.host, r.id);
    }
  });
});

describe('catalog: the 2022-09 edition is the 2022-09 document', () => {
  const e = ed('2022-09');

  it('has every service-tag row with its ports, real tag names, conditions and footnotes', () => {
    checkTagRows(e, TAG_TABLE_2022_09);
  });

  it('carries the footnotes and notes of the table', () => {
    const storage = tagSpec(e, 'aml-out-storage');
    assert.match(storage.conditionalPorts?.[0].note ?? '', /445 is only required if you have a firewall between your virtual network for Azure ML and a private endpoint for your storage accounts/);
    assert.ok(tagSpec(e, 'aml-out-front-door').notes?.some((n) => /Not needed in Azure China/.test(n)));
    assert.ok(tagSpec(e, 'aml-out-container-registry').notes?.some((n) => /dependency on the AzureFrontDoor\.FirstParty tag/.test(n)));
    for (const id of ['aml-in-vnet-batch', 'aml-in-load-balancer']) {
      assert.match(spec(e, id).purpose, /^When using a compute cluster that is configured for no public IP address, you must allow the following traffic/);
      assert.match(spec(e, id).source, /IMPORTANT/);
    }
    assert.match(spec(e, 'aml-out-storage').source, /footnote \(\*\)/);
    assert.ok(e.notes?.some((n) => /IP addresses instead of service tags/.test(n) && /IP addresses may change periodically/.test(n)), 'the TIP');
  });

  it('has every host-name row, the websocket URL and the AKS host, HTTPS 443', () => {
    const hosts = hostSpecs(e);
    for (const row of HOST_TABLE_2022_09) {
      const s = spec(e, row.id) as HostRequirementSpec;
      assert.equal(s.kind, 'host', row.id);
      assert.equal(s.host, row.host, row.id);
      assert.equal(s.protocol, 'Https', row.id);
      assert.deepEqual(s.ports, ['443'], row.id);
      assert.deepEqual(s.when, row.when, row.id);
      if (row.purpose !== undefined) assert.equal(s.purpose, row.purpose, row.id);
    }
    assert.deepEqual(hosts.map((h) => h.id).sort(), HOST_TABLE_2022_09.map((r) => r.id).sort());
    assert.ok((spec(e, 'aml-host-code-visualstudio-com').notes ?? []).some((n) => /not required for VS Code Web/.test(n)));
    const aks = spec(e, 'aml-host-mcr-microsoft-com');
    assert.ok((aks.notes ?? []).some((n) => /Restrict egress traffic in Azure Kubernetes Service/.test(n)));
    assert.ok((aks.notes ?? []).some((n) => /Deploy ML models to Azure Kubernetes Service/.test(n)));
  });
});

describe('catalog: options select requirements', () => {
  const e = ed('2022-09');

  it('uses the documented defaults', () => {
    assert.deepEqual(defaultOptions(), {
      publicIp: true, hbi: false, cloud: 'AzureCloud', region: undefined, storageFirewall: false, aks: false, vscode: false,
      rstudio: false, privateEndpoints: false, monitorPrivateLink: false, packages: ['conda', 'pip'],
    });
    assert.deepEqual(applicableIds(e), [
      'aml-in-batch-node-management', 'aml-in-azure-machine-learning', 'aml-out-azure-active-directory', 'aml-out-azure-machine-learning',
      'aml-out-batch-node-management', 'aml-out-azure-resource-manager', 'aml-out-storage', 'aml-out-front-door', 'aml-out-container-registry',
      'aml-out-azure-monitor', 'aml-host-anaconda-com', 'aml-host-wildcard-anaconda-com', 'aml-host-wildcard-anaconda-org', 'aml-host-pypi-org',
    ]);
  });

  it('swaps the inbound rows with No Public IP', () => {
    const withIp = applicableIds(e).filter((id) => id.startsWith('aml-in-'));
    const noIp = applicableIds(e, { publicIp: false }).filter((id) => id.startsWith('aml-in-'));
    assert.deepEqual(withIp, ['aml-in-batch-node-management', 'aml-in-azure-machine-learning']);
    assert.deepEqual(noIp, ['aml-in-vnet-batch', 'aml-in-load-balancer']);
    assert.equal(because(e, 'aml-in-batch-node-management', { publicIp: false }), 'only for computes with a public IP (option publicIp is off)');
    assert.equal(because(e, 'aml-in-vnet-batch'), 'only for computes with No Public IP (option publicIp is on)');
    const lb = resolvedTag(e, 'aml-in-load-balancer', { publicIp: false });
    assert.deepEqual([lb.direction, lb.protocol, lb.ports, lb.remote[0].tag], ['Inbound', 'Tcp', ['44224'], 'AzureLoadBalancer']);
  });

  it('adds the key vault for an hbi workspace', () => {
    assert.equal(because(e, 'aml-out-key-vault'), 'only for an hbi workspace (option hbi is off)');
    const kv = resolvedTag(e, 'aml-out-key-vault', { hbi: true });
    assert.deepEqual(normRemote(kv.remote), [{ tag: 'AzureKeyVault', regional: true, docName: 'Keyvault.region' }]);
  });

  it('drops Front Door in Azure China only', () => {
    assert.ok(!applicableIds(e, { cloud: 'AzureChinaCloud' }).includes('aml-out-front-door'));
    assert.equal(because(e, 'aml-out-front-door', { cloud: 'AzureChinaCloud' }), 'not in AzureChinaCloud (option cloud is AzureChinaCloud)');
    assert.ok(applicableIds(e, { cloud: 'AzureUSGovernment' }).includes('aml-out-front-door'));
    assert.ok(applicableIds(e, { cloud: 'AzureCloud' }).includes('aml-out-front-door'));
  });

  it('adds 445 to storage behind a firewall', () => {
    assert.deepEqual(resolvedTag(e, 'aml-out-storage').ports, ['443']);
    assert.deepEqual(resolvedTag(e, 'aml-out-storage', { storageFirewall: true }).ports, ['443', '445']);
  });

  it('selects package, VS Code and AKS hosts', () => {
    const none = applicableIds(e, { packages: [] });
    assert.ok(!none.some((id) => id.startsWith('aml-host-')), 'no package source, no package hosts');
    assert.equal(because(e, 'aml-host-pypi-org', { packages: [] }), 'only when package source pip is used (option packages is empty)');
    assert.deepEqual(applicableIds(e, { packages: ['cran'] }).filter((id) => id.startsWith('aml-host-')), ['aml-host-cloud-r-project-org']);
    assert.ok(applicableIds(e, { packages: ['pip-custom-index'] }).includes('aml-host-wildcard-pythonhosted-org'));
    const vscode = applicableIds(e, { vscode: true, packages: [] });
    assert.deepEqual(vscode.filter((id) => id.startsWith('aml-host-')).length, VSCODE_HOSTS.length);
    assert.ok(applicableIds(e, { aks: true }).includes('aml-host-mcr-microsoft-com'));
    assert.equal(because(e, 'aml-host-mcr-microsoft-com'), 'only when AKS is used with the workspace (option aks is off)');
  });

  it('partitions every edition into applicable and not applicable, whatever the options', () => {
    const options = fc.record({
      publicIp: fc.boolean(), hbi: fc.boolean(), cloud: fc.constantFrom(...CLOUDS), region: fc.option(fc.constantFrom('westeurope', 'eastus'), { nil: undefined }),
      storageFirewall: fc.boolean(), aks: fc.boolean(), vscode: fc.boolean(), rstudio: fc.boolean(), privateEndpoints: fc.boolean(),
      monitorPrivateLink: fc.boolean(), packages: fc.subarray([...PACKAGE_SOURCES]),
    });
    fc.assert(fc.property(fc.constantFrom(...BUILT_IN_EDITIONS), options, (edition, o) => {
      const s = selectRequirements(edition, o);
      const ids = [...s.applicable.map((r) => r.id), ...s.notApplicable.map((n) => n.spec.id)];
      assert.deepEqual([...ids].sort(), edition.requirements.map((r) => r.id).sort());
      for (const n of s.notApplicable) assert.match(n.because, /\(option (publicIp|hbi|cloud|storageFirewall|aks|vscode|rstudio|privateEndpoints|monitorPrivateLink|packages) is /);
      for (const r of s.applicable) {
        for (const p of r.spec.ports) assert.ok(r.ports.includes(p), `${r.id} keeps ${p}`);
        if (r.kind === 'host') assert.equal(r.host.includes('<region>'), o.region === undefined && r.spec.host.includes('<region>'));
      }
    }));
  });

  it('describes conditions for display', () => {
    assert.equal(describeConditions(undefined), 'always');
    assert.equal(describeConditions(tagSpec(e, 'aml-out-key-vault').when), 'only for an hbi workspace');
    assert.equal(describeConditions(tagSpec(e, 'aml-out-front-door').when), 'not in AzureChinaCloud');
    assert.equal(describeConditions([{ option: 'cloud', in: ['AzureUSGovernment'] }, { option: 'packages', includes: 'cran' }]), 'only in AzureUSGovernment; only when package source cran is used');
  });
});

describe('catalog: the 2025-02 edition', () => {
  const e = ed('2025-02');

  it('has the README service-tag table and drops the old inbound rows', () => {
    checkTagRows(e, TAG_TABLE_2025_02);
    for (const id of ['aml-in-batch-node-management', 'aml-in-vnet-batch', 'aml-in-load-balancer']) {
      assert.ok(!e.requirements.some((r) => r.id === id), `${id} is dropped`);
    }
    assert.match(e.description, /29876-29877/);
    assert.ok(e.notes?.some((n) => /No public IP: no inbound rules are needed/.test(n)));
  });

  it('needs no inbound rules without a public IP', () => {
    assert.deepEqual(applicableIds(e, { publicIp: false }).filter((id) => id.startsWith('aml-in-')), []);
    assert.deepEqual(applicableIds(e).filter((id) => id.startsWith('aml-in-')), ['aml-in-azure-machine-learning']);
  });

  it('moves 8787 to RStudio, adds UDP 5831, Any for Batch, VirtualNetwork with private endpoints, and AzureMonitor unless private link', () => {
    assert.deepEqual(resolvedTag(e, 'aml-out-azure-machine-learning').ports, ['443', '18881']);
    assert.equal(because(e, 'aml-out-rstudio'), 'only for RStudio on compute instances (option rstudio is off)');
    assert.deepEqual(resolvedTag(e, 'aml-out-rstudio', { rstudio: true }).ports, ['8787']);
    const udp = resolvedTag(e, 'aml-out-azure-machine-learning-udp');
    assert.deepEqual([udp.protocol, udp.ports], ['Udp', ['5831']]);
    assert.equal(resolvedTag(e, 'aml-out-batch-node-management').protocol, '*');
    assert.ok(!applicableIds(e).includes('aml-out-virtual-network'));
    assert.deepEqual(resolvedTag(e, 'aml-out-virtual-network', { privateEndpoints: true }).remote.map((r) => r.tag), ['VirtualNetwork']);
    assert.ok(applicableIds(e).includes('aml-out-azure-monitor'));
    assert.equal(because(e, 'aml-out-azure-monitor', { monitorPrivateLink: true }), 'only when Azure Monitor is not secured behind private link (option monitorPrivateLink is on)');
    assert.deepEqual(resolvedTag(e, 'aml-out-storage', { storageFirewall: true }).ports, ['443', '445']);
  });

  it('lists the public-cloud host names with their ports, and fills <region>', () => {
    for (const [host, protocol, ports] of PUBLIC_2025) {
      const s = hostSpecs(e).find((h) => h.host === host);
      assert.ok(s, host);
      assert.deepEqual([s.protocol, s.ports, s.when], [protocol, ports, cloud('AzureCloud')], host);
    }
    const sel = selectRequirements(e, opts({ region: 'West Europe' }));
    const hosts = sel.applicable.filter((r): r is ResolvedHostRequirement => r.kind === 'host').map((r) => r.host);
    assert.ok(hosts.includes('westeurope.tundra.azureml.ms'));
    assert.ok(hosts.includes('*.westeurope.batch.azure.com'));
    const noRegion = selectRequirements(e, opts()).applicable.filter((r): r is ResolvedHostRequirement => r.kind === 'host').map((r) => r.host);
    assert.ok(noRegion.includes('<region>.tundra.azureml.ms'));
  });

  it('switches host names by cloud', () => {
    const hostsIn = (c: CatalogOptions['cloud']): string[] =>
      selectRequirements(e, opts({ cloud: c, packages: [] })).applicable.filter((r): r is ResolvedHostRequirement => r.kind === 'host').map((r) => r.host);
    assert.deepEqual(hostsIn('AzureChinaCloud'), CHINA_2025);
    const gov = hostsIn('AzureUSGovernment');
    assert.ok(gov.length > 0 && gov.every((h) => /\.us$/.test(h)), gov.join(' '));
    assert.ok(gov.includes('<region>.tundra.azureml.us'));
    for (const g of hostSpecs(e).filter((h) => h.when?.some((c) => c.option === 'cloud' && c.in?.includes('AzureUSGovernment')))) {
      assert.ok(g.notes?.some((n) => /derived/i.test(n)), `${g.host} says it is derived`);
    }
    const pub = hostsIn('AzureCloud');
    assert.deepEqual(pub, PUBLIC_2025.map(([h]) => h));
  });

  it('has the RStudio, VS Code (with 8704-8710) and package hosts', () => {
    assert.deepEqual(hostSpecs(e).filter((h) => h.when?.[0].option === 'rstudio').map((h) => h.host), ['ghcr.io', 'pkg-containers.githubusercontent.com']);
    const vscode = hostSpecs(e).filter((h) => h.when?.[0].option === 'vscode');
    assert.deepEqual(vscode.map((h) => h.host), VSCODE_HOSTS);
    for (const h of vscode) assert.deepEqual(h.ports, ['443', '8704-8710'], h.host);
    const packages = hostSpecs(e).filter((h) => h.when?.[0].option === 'packages');
    assert.deepEqual(packages.map((h) => h.host).sort(), ['*.anaconda.com', '*.anaconda.org', '*.pytorch.org', '*.pythonhosted.org', '*.tensorflow.org', 'cloud.r-project.org', 'pypi.org', 'pytorch.org'].sort());
    assert.equal(spec(e, 'aml-host-wildcard-pytorch-org').kind === 'host' && (spec(e, 'aml-host-wildcard-pytorch-org') as HostRequirementSpec).host, '*.pytorch.org');
  });
});

describe('catalog: user editions', () => {
  const extra: RequirementSpec = {
    id: 'contoso-sql', kind: 'service-tag', direction: 'Outbound', protocol: 'Tcp', ports: ['1433'], remote: [{ tag: 'Sql', regional: true }],
    purpose: 'Contoso SQL', docs: '', source: 'test',
  };
  const custom: CustomEditions = {
    'contoso-2026': { extends: '2025-02', remove: ['aml-out-azure-monitor'], add: [extra], replace: [{ ...tagSpec(ed('2025-02'), 'aml-out-storage'), ports: ['443', '445'] }] },
    'contoso-strict': { extends: 'contoso-2026', remove: ['contoso-sql'], title: 'Strict' },
  };

  it('extends an edition with remove, replace and add', () => {
    const e = getEdition('contoso-2026', custom);
    assert.equal(e.extends, '2025-02');
    assert.ok(!e.requirements.some((r) => r.id === 'aml-out-azure-monitor'));
    assert.deepEqual(tagSpec(e, 'aml-out-storage').ports, ['443', '445']);
    assert.equal(e.requirements[e.requirements.length - 1].id, 'contoso-sql');
    assert.equal(e.requirements.length, ed('2025-02').requirements.length);
    assert.match(e.description, /Extends 2025-02: adds contoso-sql; removes aml-out-azure-monitor; replaces aml-out-storage/);
    const strict = getEdition('contoso-strict', custom);
    assert.equal(strict.title, 'Strict');
    assert.ok(!strict.requirements.some((r) => r.id === 'contoso-sql'));
    assert.deepEqual(listEditions(custom).map((x) => x.name), ['2022-09', '2025-02', 'contoso-2026', 'contoso-strict']);
  });

  it('refuses unknown bases, cycles and taken ids', () => {
    assert.throws(() => getEdition('a', { a: { extends: 'nope' } }), /unknown edition "nope" \(extended by "a"\); known editions: 2022-09 \(default\), 2025-02, a/);
    assert.throws(() => getEdition('a', { a: { extends: 'b' }, b: { extends: 'a' } }), /cycle: a -> b -> a/);
    assert.throws(() => getEdition('a', { a: { extends: '2022-09', remove: ['aml-out-rstudio'] } }), /removes "aml-out-rstudio", which edition "2022-09" does not have/);
    assert.throws(() => withRequirements(ed('2022-09'), [{ ...extra, id: 'aml-out-storage' }]), /"aml-out-storage" is already taken/);
  });
});

describe('catalog: selection for option values known only at deployment', () => {
  it('selects the union over the possible values and lists the rows that depend on an uncertain option', () => {
    const { selection, dependsOn } = selectRequirementsForValues(getEdition('2022-09'), defaultOptions(), { publicIp: { certain: [], uncertain: true }, hbi: { certain: [false], uncertain: false } });
    const ids = selection.applicable.map((r) => r.id);
    for (const id of ['aml-in-batch-node-management', 'aml-in-vnet-batch', 'aml-out-storage']) assert.ok(ids.includes(id), id);
    assert.deepEqual(selection.notApplicable.filter((n) => n.spec.kind === 'service-tag').map((n) => n.spec.id), ['aml-out-key-vault']);
    assert.deepEqual([...dependsOn.keys()].sort(), ['aml-in-azure-machine-learning', 'aml-in-batch-node-management', 'aml-in-load-balancer', 'aml-in-vnet-batch']);
    assert.deepEqual(dependsOn.get('aml-in-vnet-batch'), [{ option: 'publicIp', is: false }]);
  });

  it('treats a value known to occur as certain even when another element leaves it open', () => {
    const { dependsOn } = selectRequirementsForValues(getEdition('2022-09'), defaultOptions(), { publicIp: { certain: [true], uncertain: true }, hbi: { certain: [false], uncertain: false } });
    assert.deepEqual([...dependsOn.keys()].sort(), ['aml-in-load-balancer', 'aml-in-vnet-batch']);
  });

  it('is the plain selection when every value is known', () => {
    const { selection, dependsOn } = selectRequirementsForValues(getEdition('2022-09'), defaultOptions(), { publicIp: { certain: [true], uncertain: false }, hbi: { certain: [false], uncertain: false } });
    assert.deepEqual(selection, selectRequirements(getEdition('2022-09'), defaultOptions()));
    assert.equal(dependsOn.size, 0);
  });
});
