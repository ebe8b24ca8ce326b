import * as assert from 'node:assert/strict';
import { snapshotTree, type ProviderLike } from '../../src/client/snapshot';

interface Fake {
  readonly label: string;
  readonly children: Fake[];
}

/** A provider shaped like a vscode TreeDataProvider: async children, ThemeIcon and MarkdownString look-alikes. */
function provider(roots: Fake[]): ProviderLike<Fake> {
  return {
    getChildren: async (e?: Fake) => (e ? e.children : roots),
    getTreeItem: (e: Fake) => ({
      id: `id-${e.label}`,
      label: e.children.length > 0 ? { label: e.label } : e.label,
      description: e.children.length > 0 ? `${e.children.length} children` : false,
      tooltip: { value: `**${e.label}**` },
      contextValue: e.label.startsWith('nsg') ? 'nsg' : undefined,
      iconPath: { id: 'shield', color: { id: 'testing.iconPassed' } },
      // Collapsed (1) items are walked too.
      collapsibleState: e.children.length > 0 ? 1 : 0,
    }),
  };
}

describe('client tree snapshot', () => {
  it('walks the whole tree through the provider, collapsed items included', async () => {
    const tree = [{ label: 'vnet', children: [{ label: 'nsg-a', children: [{ label: 'req', children: [] }] }] }];
    const snap = await snapshotTree(provider(tree));
    assert.deepEqual(snap, [{
      id: 'id-vnet',
      label: 'vnet',
      description: '1 children',
      tooltip: '**vnet**',
      icon: 'shield',
      iconColor: 'testing.iconPassed',
      children: [{
        id: 'id-nsg-a',
        label: 'nsg-a',
        description: '1 children',
        tooltip: '**nsg-a**',
        contextValue: 'nsg',
        icon: 'shield',
        iconColor: 'testing.iconPassed',
        children: [{ id: 'id-req', label: 'req', tooltip: '**req**', icon: 'shield', iconColor: 'testing.iconPassed', children: [] }],
      }],
    }]);
  });

  it('stops at the depth bound', async () => {
    const deep: Fake = { label: 'a', children: [{ label: 'b', children: [{ label: 'c', children: [] }] }] };
    const snap = await snapshotTree(provider([deep]), 1);
    assert.deepEqual(snap[0].children[0].children, []);
  });
});
