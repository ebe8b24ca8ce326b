// A tree view as plain data, read through its TreeDataProvider the way VS Code reads it: for the
// end-to-end tests (the API object of `activate`). Structural types only, so no vscode import.

/** One tree item as a test sees it. */
export interface SnapshotNode {
  readonly id?: string;
  readonly label: string;
  readonly description?: string;
  /** The tooltip's text (a MarkdownString's source). */
  readonly tooltip?: string;
  readonly contextValue?: string;
  /** The codicon id of a ThemeIcon. */
  readonly icon?: string;
  /** The ThemeColor id of the icon. */
  readonly iconColor?: string;
  readonly children: readonly SnapshotNode[];
}

interface ItemLike {
  readonly id?: string;
  readonly label?: string | { readonly label: string };
  readonly description?: string | boolean;
  readonly tooltip?: string | { readonly value: string };
  readonly contextValue?: string;
  readonly iconPath?: unknown;
  readonly collapsibleState?: number;
}

export interface ProviderLike<T> {
  getChildren(element?: T): T[] | null | undefined | PromiseLike<T[] | null | undefined>;
  getTreeItem(element: T): ItemLike | PromiseLike<ItemLike>;
}

function iconOf(iconPath: unknown): { icon?: string; iconColor?: string } {
  if (typeof iconPath !== 'object' || iconPath === null) return {};
  const p = iconPath as { id?: unknown; color?: { id?: unknown } };
  return {
    ...(typeof p.id === 'string' ? { icon: p.id } : {}),
    ...(typeof p.color?.id === 'string' ? { iconColor: p.color.id } : {}),
  };
}

/** Walks the whole tree (collapsed items included), at most `maxDepth` levels. */
export async function snapshotTree<T>(provider: ProviderLike<T>, maxDepth = 12): Promise<SnapshotNode[]> {
  const walk = async (element: T | undefined, depth: number): Promise<SnapshotNode[]> => {
    if (depth > maxDepth) return [];
    const children = (await provider.getChildren(element)) ?? [];
    const out: SnapshotNode[] = [];
    for (const child of children) {
      const item = await provider.getTreeItem(child);
      const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
      const tooltip = typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value;
      const hasChildren = item.collapsibleState !== undefined && item.collapsibleState !== 0;
      out.push({
        ...(item.id !== undefined ? { id: item.id } : {}),
        label,
        ...(typeof item.description === 'string' ? { description: item.description } : {}),
        ...(tooltip !== undefined ? { tooltip } : {}),
        ...(item.contextValue !== undefined ? { contextValue: item.contextValue } : {}),
        ...iconOf(item.iconPath),
        children: hasChildren ? await walk(child, depth + 1) : [],
      });
    }
    return out;
  };
  return walk(undefined, 0);
}
