import * as assert from 'node:assert/strict';
import { defaultOptions, getEdition } from '../../src/core/catalog/catalog';
import { evaluateRequirement, evaluateSelection } from '../../src/core/evaluate-nsg';
import type { EvaluationContext } from '../../src/core/evaluation-context';
import type { NsgChain } from '../../src/core/nsg';
import { regionNamed, regionSymbol } from '../../src/core/region';
import type { Selection } from '../../src/core/requirement';
import type { RequirementVerdict } from '../../src/core/verdict';
import { inbound, nsg, outbound, requirement, rule } from './builders';
import { caseSeed, engineChain, generateCase } from './random-nsg';
import { engineContext } from '../../scripts/differential';

const storage = requirement('aml-out-storage', 'Outbound', 'Tcp', ['443', '445'], [{ tag: 'Storage', regional: true }]);
const aml = requirement('aml-out-azure-machine-learning', 'Outbound', 'Tcp', ['443', '8787', '18881'], [{ tag: 'AzureMachineLearning' }]);
const batchIn = requirement('aml-in-batch-node-management', 'Inbound', 'Tcp', ['29876-29877'], [{ tag: 'BatchNodeManagement' }]);
const vnetIn = requirement('aml-in-vnet-batch', 'Inbound', 'Tcp', ['29876-29877'], [{ tag: 'VirtualNetwork' }]);
const lbIn = requirement('aml-in-load-balancer', 'Inbound', 'Tcp', ['44224'], [{ tag: 'AzureLoadBalancer' }]);
const registry = requirement('aml-out-container-registry', 'Outbound', 'Tcp', ['443'], [{ tag: 'MicrosoftContainerRegistry', regional: true }, { tag: 'AzureFrontDoor.FirstParty' }]);
const batchAny = requirement('aml-out-batch-node-management', 'Outbound', '*', ['443'], [{ tag: 'BatchNodeManagement', regional: true }]);
const vnetOut = requirement('aml-out-virtual-network', 'Outbound', 'Tcp', ['443'], [{ tag: 'VirtualNetwork' }]);

const denyAllOut = outbound('DenyAllOut', 4000, 'Deny', ['*'], ['*'], { sourceAddresses: ['*'], protocol: '*' });
const denyAllIn = inbound('DenyAllIn', 4000, 'Deny', ['*'], ['*'], { destinationAddresses: ['*'], protocol: '*' });

function check(chain: NsgChain, req = storage, context: EvaluationContext = {}): RequirementVerdict {
  return evaluateRequirement(chain, req, context);
}
const names = (v: RequirementVerdict) => v.decidedBy.map((r) => r.name);
const row = (v: RequirementVerdict, ports: string, protocol = 'Tcp') => {
  const found = v.breakdown.find((b) => b.ports === ports && b.protocol === protocol);
  assert.ok(found, `no breakdown row for ${protocol} ${ports} in ${JSON.stringify(v.breakdown.map((b) => `${b.protocol} ${b.ports}`))}`);
  return found;
};

describe('evaluate-nsg', () => {
  describe('first match and default rules', () => {
    it('lets the lower priority decide', () => {
      const allowFirst = check({ subnet: nsg([outbound('Allow', 100, 'Allow', ['Storage'], ['443', '445']), outbound('Deny', 200, 'Deny', ['Storage'], ['*'])]) });
      assert.equal(allowFirst.verdict, 'allowed');
      assert.deepEqual(names(allowFirst), ['Allow']);
      const denyFirst = check({ subnet: nsg([outbound('Allow', 300, 'Allow', ['Storage'], ['443', '445']), outbound('Deny', 200, 'Deny', ['Storage'], ['*'])]) });
      assert.equal(denyFirst.verdict, 'blocked');
      assert.deepEqual(names(denyFirst), ['Deny']);
    });

    it('falls through to AllowInternetOutBound for public tags', () => {
      const v = check({ subnet: nsg([]) });
      assert.equal(v.verdict, 'allowed-by-default');
      assert.deepEqual(names(v), ['AllowInternetOutBound']);
      assert.equal(v.decidedBy[0].isDefault, true);
      assert.equal(v.decidedBy[0].priority, 65001);
    });

    it('blocks inbound from a public tag with DenyAllInBound', () => {
      const v = check({ subnet: nsg([]) }, batchIn);
      assert.equal(v.verdict, 'blocked');
      assert.deepEqual(names(v), ['DenyAllInBound']);
      assert.match(v.explanation, /no rule allows it/);
    });

    it('allows VirtualNetwork and AzureLoadBalancer inbound by AllowVNetInBound, which comes first', () => {
      assert.deepEqual(names(check({ subnet: nsg([]) }, vnetIn)), ['AllowVNetInBound']);
      // The VirtualNetwork tag includes 168.63.129.16, so 65000 decides before 65001.
      assert.deepEqual(names(check({ subnet: nsg([]) }, lbIn)), ['AllowVNetInBound']);
      assert.deepEqual(names(check({ subnet: nsg([]) }, vnetOut)), ['AllowVnetOutBound']);
    });

    it('lets a user deny on VirtualNetwork block the load balancer too', () => {
      const v = check({ subnet: nsg([inbound('DenyVnet', 3000, 'Deny', ['VirtualNetwork'], ['*'])]) }, lbIn);
      assert.equal(v.verdict, 'blocked');
      assert.deepEqual(names(v), ['DenyVnet']);
    });

    it('allows everything when no NSG applies', () => {
      const v = check({}, batchIn);
      assert.equal(v.verdict, 'allowed-by-default');
      assert.match(v.explanation, /No network security group/);
    });

    it('ignores rules of the other direction', () => {
      const v = check({ subnet: nsg([inbound('InboundDeny', 100, 'Deny', ['*'], ['*']), denyAllOut]) });
      assert.deepEqual(names(v), ['DenyAllOut']);
    });
  });

  describe('ports, protocols and augmented rules', () => {
    it('judges each port on its own, with its own deciding rule', () => {
      const v = check({ subnet: nsg([
        outbound('Allow443', 100, 'Allow', ['AzureMachineLearning'], ['443']),
        outbound('Deny8787', 110, 'Deny', ['AzureMachineLearning'], ['8787']),
      ]) }, aml);
      assert.equal(v.verdict, 'partial');
      assert.deepEqual(row(v, '443').decidedBy.map((r) => r.name), ['Allow443']);
      assert.equal(row(v, '8787').outcome, 'blocked');
      assert.deepEqual(row(v, '8787').decidedBy.map((r) => r.name), ['Deny8787']);
      assert.equal(row(v, '18881').outcome, 'allowed-by-default');
      assert.deepEqual(names(v), ['Allow443', 'Deny8787', 'AllowInternetOutBound']);
    });

    it('reads port ranges that straddle required ports', () => {
      const v = check({ subnet: nsg([outbound('Allow', 100, 'Allow', ['AzureMachineLearning'], ['400-8787']), denyAllOut]) }, aml);
      assert.equal(v.verdict, 'partial');
      assert.equal(row(v, '443, 8787').outcome, 'allowed');
      assert.equal(row(v, '18881').outcome, 'blocked');
    });

    it('accepts an augmented rule with port and prefix lists', () => {
      const v = check({ subnet: nsg([
        outbound('Allow', 100, 'Allow', ['AzureMachineLearning'], ['443', '8787', '18881'], { sourceAddresses: ['10.9.0.0/16', 'VirtualNetwork'] }),
        denyAllOut,
      ]) }, aml);
      assert.equal(v.verdict, 'allowed');
    });

    it('does not let a UDP or ICMP rule meet a TCP requirement; * does', () => {
      const udp = check({ subnet: nsg([outbound('AllowUdp', 100, 'Allow', ['Storage'], ['*'], { protocol: 'Udp' }), outbound('Icmp', 110, 'Allow', ['*'], ['*'], { protocol: 'Icmp' }), denyAllOut]) });
      assert.equal(udp.verdict, 'blocked');
      const any = check({ subnet: nsg([outbound('AllowAny', 100, 'Allow', ['Storage'], ['*'], { protocol: '*' }), denyAllOut]) });
      assert.equal(any.verdict, 'allowed');
      const lower = check({ subnet: nsg([outbound('AllowAny', 100, 'Allow', ['Storage'], ['*'], { protocol: 'TCP' }), denyAllOut]) });
      assert.equal(lower.verdict, 'allowed', 'protocol names compare without case');
    });

    it('splits a requirement on any protocol into TCP and UDP', () => {
      const v = check({ subnet: nsg([outbound('AllowTcp', 100, 'Allow', ['BatchNodeManagement'], ['443']), denyAllOut]) }, batchAny);
      assert.equal(v.verdict, 'partial');
      assert.equal(row(v, '443', 'Tcp').outcome, 'allowed');
      assert.equal(row(v, '443', 'Udp').outcome, 'blocked');
    });

    it('treats a source-port limit as partial cover, and two halves as full cover', () => {
      const half = check({ subnet: nsg([outbound('Low', 100, 'Allow', ['Storage'], ['*'], { sourcePorts: ['1024-65535'] }), denyAllOut]) });
      assert.equal(half.verdict, 'blocked');
      assert.match(half.breakdown[0].detail, /denied by DenyAllOut \(priority 4000\) for source ports 0-1023; the rest is allowed by Low/);
      const both = check({ subnet: nsg([
        outbound('Low', 100, 'Allow', ['Storage'], ['*'], { sourcePorts: ['1024-65535'] }),
        outbound('High', 110, 'Allow', ['Storage'], ['*'], { sourcePorts: ['0-1023'] }),
        denyAllOut,
      ]) });
      assert.equal(both.verdict, 'allowed');
      assert.deepEqual(names(both), ['Low', 'High']);
    });

    it('counts explicit and default allows apart', () => {
      const v = check({ subnet: nsg([outbound('Allow443', 100, 'Allow', ['Storage'], ['443'])]) });
      assert.equal(v.verdict, 'allowed-by-default');
      assert.equal(row(v, '443').outcome, 'allowed');
      assert.equal(row(v, '445').outcome, 'allowed-by-default');
    });
  });

  describe('service tags and addresses', () => {
    it('puts a regional tag inside its global tag, not inside another region', () => {
      const global = check({ subnet: nsg([outbound('A', 100, 'Allow', ['Storage'], ['*']), denyAllOut]) });
      assert.equal(global.verdict, 'allowed');
      const same = check({ subnet: nsg([outbound('A', 100, 'Allow', ['storage.WestEurope'], ['*']), denyAllOut]) });
      assert.equal(same.verdict, 'allowed', 'tags and regions compare without case');
      const other = check({ subnet: nsg([outbound('A', 100, 'Allow', ['Storage.westus'], ['*']), denyAllOut]) });
      assert.equal(other.verdict, 'blocked');
    });

    it('reads a regional rule as only part of a global requirement', () => {
      const v = check({ subnet: nsg([outbound('A', 100, 'Allow', ['AzureMachineLearning.westeurope'], ['*']), denyAllOut]) }, aml);
      assert.equal(v.verdict, 'blocked');
      assert.match(v.breakdown[0].detail, /for remote addresses the rest of AzureMachineLearning; the rest is allowed by A/);
    });

    it('puts every public tag inside Internet and AzureCloud', () => {
      assert.equal(check({ subnet: nsg([outbound('D', 100, 'Deny', ['Internet'], ['*'])]) }, aml).verdict, 'blocked');
      assert.equal(check({ subnet: nsg([outbound('A', 100, 'Allow', ['AzureCloud'], ['*']), denyAllOut]) }, aml).verdict, 'allowed');
      assert.equal(check({ subnet: nsg([outbound('A', 100, 'Allow', ['AzureCloud.westeurope'], ['*']), denyAllOut]) }).verdict, 'allowed');
    });

    it('does not guess whether AzureCloud covers first-party space', () => {
      const v = check({ subnet: nsg([outbound('A', 100, 'Allow', ['AzureCloud'], ['*']), denyAllOut]) }, registry);
      assert.equal(v.verdict, 'unknown');
      assert.match(v.explanation, /whether AzureCloud covers AzureFrontDoor\.FirstParty is not documented/);
    });

    it('does not split a tag that has no regional tags by AzureCloud regions', () => {
      const frontDoor = requirement('aml-out-front-door', 'Outbound', 'Tcp', ['443'], [{ tag: 'AzureFrontDoor.Frontend' }]);
      const v = check({ subnet: nsg([outbound('D', 100, 'Deny', ['AzureCloud.westeurope'], ['*'])]) }, frontDoor);
      assert.equal(v.verdict, 'unknown');
      assert.match(v.explanation, /AzureFrontDoor\.Frontend has no regional tags/);
      // A tag with regional tags is split: the westeurope part is denied, the rest is not.
      const split = check({ subnet: nsg([outbound('D', 100, 'Deny', ['AzureCloud.westeurope'], ['*'])]) }, aml);
      assert.equal(split.verdict, 'blocked');
      assert.match(split.breakdown[0].detail, /for remote addresses AzureMachineLearning\.westeurope/);
    });

    it('treats distinct service tags as disjoint', () => {
      const v = check({ subnet: nsg([outbound('D', 100, 'Deny', ['Storage'], ['*'])]) }, aml);
      assert.equal(v.verdict, 'allowed-by-default');
    });

    it('never lets a private range meet a public tag', () => {
      const v = check({ subnet: nsg([outbound('D', 100, 'Deny', ['10.0.0.0/8', '192.168.0.0/16'], ['*'])]) });
      assert.equal(v.verdict, 'allowed-by-default');
    });

    it('cannot tell a public CIDR against a tag without prefix data, and can with it', () => {
      const chain = { subnet: nsg([outbound('D', 100, 'Deny', ['20.60.0.0/16'], ['*']), outbound('A', 200, 'Allow', ['Storage'], ['*'])]) };
      const unknown = check(chain);
      assert.equal(unknown.verdict, 'unknown');
      assert.match(unknown.unknownBecause!.join(), /20\.60\.0\.0\/16 covers Storage\.westeurope cannot be told without service-tag prefix data/);
      const inside = check(chain, storage, { serviceTags: new Map([['storage.westeurope', ['20.60.0.0/16']]]) });
      assert.equal(inside.verdict, 'blocked');
      const partly = check(chain, storage, { serviceTags: new Map([['storage.westeurope', ['20.60.0.0/16', '52.1.0.0/16']]]) });
      assert.equal(partly.verdict, 'blocked');
      assert.match(partly.breakdown[0].detail, /for remote addresses Storage\.westeurope addresses 20\.60\.0\.0-20\.60\.255\.255; the rest is allowed by A/);
      const outside = check(chain, storage, { serviceTags: new Map([['storage.westeurope', ['52.1.0.0/16']]]) });
      assert.equal(outside.verdict, 'allowed');
    });

    it('judges the load balancer by its address', () => {
      assert.equal(check({ subnet: nsg([inbound('D', 100, 'Deny', ['168.63.0.0/16'], ['*'])]) }, lbIn).verdict, 'blocked');
      assert.equal(check({ subnet: nsg([inbound('D', 100, 'Deny', ['168.62.0.0/16'], ['*'])]) }, lbIn).verdict, 'allowed-by-default');
    });

    it('cannot tell a CIDR against VirtualNetwork', () => {
      const v = check({ subnet: nsg([inbound('D', 100, 'Deny', ['10.0.0.0/16'], ['*'])]) }, vnetIn);
      assert.equal(v.verdict, 'unknown');
      assert.match(v.explanation, /VirtualNetwork \(the VNet, its peerings and on-premises ranges\)/);
    });
  });

  describe('the local side', () => {
    it('skips an outbound rule whose source does not include the subnet', () => {
      const v = check({ subnet: nsg([outbound('D', 100, 'Deny', ['*'], ['*'], { sourceAddresses: ['Internet'] })]) });
      assert.equal(v.verdict, 'allowed-by-default');
    });

    it('judges a CIDR source against the subnet prefix when it is known', () => {
      const chain = { subnet: nsg([outbound('D', 100, 'Deny', ['*'], ['*'], { sourceAddresses: ['10.0.1.0/24'] })]) };
      assert.equal(check(chain, storage, { subnetPrefixes: ['10.0.1.0/24'] }).verdict, 'blocked');
      assert.equal(check(chain, storage, { subnetPrefixes: ['10.0.2.0/24'] }).verdict, 'allowed-by-default');
      const part = check(chain, storage, { subnetPrefixes: ['10.0.0.0/23'] });
      assert.equal(part.verdict, 'blocked');
      assert.match(part.breakdown[0].detail, /local addresses/);
      const unknown = check(chain);
      assert.equal(unknown.verdict, 'unknown');
      assert.match(unknown.explanation, /subnet's address prefix is not known/);
    });

    it('cannot tell an application security group', () => {
      const v = check({ subnet: nsg([outbound('D', 100, 'Deny', ['*'], ['*'], { sourceAddresses: [{ asg: 'asg-web' }] })]) });
      assert.equal(v.verdict, 'unknown');
      assert.match(v.explanation, /application security group asg-web/);
    });
  });

  describe('chains of NSGs', () => {
    it('needs both the subnet and the NIC NSG to allow', () => {
      const subnet = nsg([outbound('SubnetAllow', 100, 'Allow', ['Storage'], ['*'])], undefined, 'nsg-subnet');
      const nicDeny = nsg([outbound('NicDeny', 100, 'Deny', ['Storage'], ['445'])], undefined, 'nsg-nic');
      const v = check({ subnet, nic: nicDeny }, storage, { region: regionNamed('westeurope') });
      assert.equal(v.verdict, 'partial');
      assert.equal(row(v, '445').outcome, 'blocked');
      assert.deepEqual(row(v, '445').decidedBy.map((r) => `${r.nsg}/${r.name}`), ['nsg-nic/NicDeny']);
      assert.equal(row(v, '443').outcome, 'allowed-by-default', 'the NIC NSG allows 443 only by its default rule');
    });

    it('reports the NSG that inbound traffic meets first', () => {
      const subnet = nsg([denyAllIn], undefined, 'nsg-subnet');
      const nic = nsg([denyAllIn], undefined, 'nsg-nic');
      const v = check({ subnet, nic }, batchIn);
      assert.deepEqual(v.decidedBy.map((r) => r.nsg), ['nsg-subnet']);
    });
  });

  describe('regions', () => {
    it('matches Storage.${location} to an NSG at location', () => {
      const loc = regionSymbol("parameters('location')", 'location');
      const v = check({ subnet: nsg([outbound('A', 100, 'Allow', [{ tag: 'Storage', region: loc, text: 'Storage.${location}' }], ['*']), denyAllOut], loc) });
      assert.equal(v.verdict, 'allowed');
    });

    it('takes the region option for a symbolic NSG location', () => {
      const loc = regionSymbol("parameters('location')", 'location');
      const chain = { subnet: nsg([outbound('A', 100, 'Allow', ['Storage.eastus'], ['*']), denyAllOut], loc) };
      assert.equal(check(chain, storage, { region: regionNamed('East US') }).verdict, 'allowed');
      assert.equal(check(chain, storage, { region: regionNamed('westus') }).verdict, 'blocked');
      assert.equal(check(chain).verdict, 'unknown');
    });

    it("uses the NSG's named location over the region option", () => {
      const chain = { subnet: nsg([outbound('A', 100, 'Allow', ['Storage.westeurope'], ['*']), denyAllOut]) };
      assert.equal(check(chain, storage, { region: regionNamed('westus') }).verdict, 'allowed');
    });

    it('says so when the region is not known at all', () => {
      const v = check({ subnet: { name: 'nsg-no-location', rules: [outbound('A', 100, 'Allow', ['Storage.westus'], ['*']), denyAllOut] } });
      assert.equal(v.verdict, 'unknown');
      assert.match(v.explanation, /set the region option/);
      assert.equal(v.breakdown[0].remote, 'Storage.<region>');
    });
  });

  describe('requirements with two remote tags', () => {
    it('needs both MicrosoftContainerRegistry and AzureFrontDoor.FirstParty', () => {
      const v = check({ subnet: nsg([outbound('Mcr', 100, 'Allow', ['MicrosoftContainerRegistry'], ['443']), denyAllOut]) }, registry);
      assert.equal(v.verdict, 'partial');
      assert.deepEqual(v.breakdown.map((b) => `${b.remote}:${b.outcome}`), ['MicrosoftContainerRegistry.westeurope:allowed', 'AzureFrontDoor.FirstParty:blocked']);
    });
  });

  describe('unknown values', () => {
    it('is unknown when an unknown deny comes before the allow', () => {
      const v = check({ subnet: nsg([outbound('D', 100, 'Deny', [{ unknown: "parameter 'blockedPrefix' has no value" }], ['*']), outbound('A', 200, 'Allow', ['Storage'], ['*'])]) });
      assert.equal(v.verdict, 'unknown');
      assert.deepEqual(v.unknownBecause, ["rule D: parameter 'blockedPrefix' has no value"]);
    });

    it('is certain when the unknown rule cannot change the outcome', () => {
      const after = check({ subnet: nsg([outbound('A', 100, 'Allow', ['Storage'], ['*']), outbound('D', 200, 'Deny', [{ unknown: 'x' }], ['*'])]) });
      assert.equal(after.verdict, 'allowed');
      const sameAction = check({ subnet: nsg([outbound('D1', 100, 'Deny', [{ unknown: 'x' }], ['*']), denyAllOut]) });
      assert.equal(sameAction.verdict, 'blocked');
      assert.deepEqual(names(sameAction), ['DenyAllOut']);
    });

    it('places a rule of unknown priority first or last, whichever is worse', () => {
      const deny = check({ subnet: nsg([outbound('A', 100, 'Allow', ['Storage'], ['*']), outbound('D', { unknown: "parameter 'prio' has no value" }, 'Deny', ['Storage'], ['*'])]) });
      assert.equal(deny.verdict, 'unknown');
      assert.match(deny.explanation, /prio/);
      const allow = check({ subnet: nsg([outbound('A', { unknown: 'p' }, 'Allow', ['Storage'], ['*']), denyAllOut]) });
      assert.equal(allow.verdict, 'unknown');
      // Whatever its priority, a user rule comes before the default rules.
      const beforeDefaults = check({ subnet: nsg([outbound('A', { unknown: 'p' }, 'Allow', ['Storage'], ['*'])]) });
      assert.equal(beforeDefaults.verdict, 'allowed');
    });

    it('is unknown when traffic passes either way but maybe only by default', () => {
      const v = check({ subnet: nsg([outbound('A', 100, 'Allow', ['*'], ['*'], { sourceAddresses: ['10.0.0.0/16'] })]) });
      assert.equal(v.verdict, 'unknown');
      assert.match(v.explanation, /allowed, but whether by A \(priority 100\) or only by the default rule AllowInternetOutBound \(65001\) cannot be told: rule A: the compute subnet's address prefix is not known/);
      assert.equal(check({ subnet: nsg([outbound('A', 100, 'Allow', ['*'], ['*'], { sourceAddresses: ['10.0.0.0/16'] })]) }, storage, { subnetPrefixes: ['10.0.1.0/24'] }).verdict, 'allowed');
    });

    it('treats an unknown access, direction or port as either way', () => {
      assert.equal(check({ subnet: nsg([outbound('X', 100, { unknown: 'a' } as never, ['Storage'], ['*'])]) }).verdict, 'unknown');
      assert.equal(check({ subnet: nsg([outbound('X', 100, 'Deny', ['Storage'], ['*'], { direction: { unknown: 'd' } })]) }).verdict, 'unknown');
      assert.equal(check({ subnet: nsg([outbound('X', 100, 'Deny', ['Storage'], [{ unknown: 'port' }])]) }).verdict, 'unknown');
      assert.equal(check({ subnet: nsg([outbound('X', 100, 'Deny', ['Storage'], [{ unknown: 'port' }, '443'])]) }).verdict, 'partial');
    });

    it('treats malformed values as unknown, never as a guess, and never throws', () => {
      const v = check({ subnet: nsg([
        rule('Bad', 100, { access: 'Deny', protocol: 'Tcpp', destinationPorts: ['44-3'], destinationAddresses: ['Storage'] }),
        outbound('A', 200, 'Allow', ['Storage'], ['*']),
      ]) });
      assert.equal(v.verdict, 'unknown');
      assert.match(v.explanation, /protocol "Tcpp" is not valid/);
      for (const junk of [[], [''], ['300.1.1.1'], ['*', '*'], ['::/0']]) {
        assert.doesNotThrow(() => check({ subnet: nsg([outbound('J', 100, 'Deny', junk, ['*'])]) }));
      }
    });
  });

  it('evaluateSelection gives each requirement the verdict evaluateRequirement gives it (subnet and NIC chains, both directions)', () => {
    let chains = 0;
    for (let i = 0; i < 300; i++) {
      const bp = generateCase(caseSeed(31, i), { unknowns: i % 2 === 1, requirements: 8 });
      const chain = engineChain(bp);
      if (chain.subnet && chain.nic) chains++;
      const { context } = engineContext(bp);
      const selection: Selection = { edition: getEdition('2022-09'), options: { ...defaultOptions(), region: undefined }, applicable: bp.requirements, notApplicable: [] };
      assert.deepStrictEqual(evaluateSelection(chain, selection, context), bp.requirements.map((r) => evaluateRequirement(chain, r, context)), `case ${i}`);
    }
    assert.ok(chains > 20, 'some chains have both a subnet and a NIC NSG');
  });
});
