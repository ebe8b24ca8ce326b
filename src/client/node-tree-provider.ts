// The thin vscode adapter for both views: TreeNodes (tree-model.ts, requirements-model.ts) in,
// TreeItems out. Everything the user reads is decided in those pure modules.

import * as vscode from 'vscode';
import type { TreeNode } from './tree-model';
import type { Target } from './report-view';

/** The command a requirement's click runs: reveal a place from the report. */
export const REVEAL_LOCATION_COMMAND = 'amlnet.revealLocation';

export class NodeTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private roots: TreeNode[] = [];
  private readonly parents = new Map<string, TreeNode | undefined>();
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly build: () => TreeNode[]) {
    this.refresh();
  }

  /** Rebuilds the nodes from the current data and tells the view. */
  refresh(): void {
    this.roots = this.build();
    this.parents.clear();
    const index = (nodes: readonly TreeNode[], parent: TreeNode | undefined): void => {
      for (const n of nodes) {
        this.parents.set(n.id, parent);
        index(n.children, n);
      }
    };
    index(this.roots, undefined);
    this.changed.fire(undefined);
  }

  get rootNodes(): readonly TreeNode[] {
    return this.roots;
  }

  getChildren(element?: TreeNode): TreeNode[] {
    return element ? [...element.children] : this.roots;
  }

  getParent(element: TreeNode): TreeNode | undefined {
    return this.parents.get(element.id);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const state = node.children.length === 0
      ? vscode.TreeItemCollapsibleState.None
      : node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    if (node.description !== undefined) item.description = node.description;
    if (node.tooltip !== undefined) item.tooltip = new vscode.MarkdownString(node.tooltip);
    item.contextValue = node.contextValue;
    if (node.accessibilityLabel) item.accessibilityInformation = { label: node.accessibilityLabel };
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    // Only leaves reveal on click: a click on a parent expands it, as in every other tree.
    if (node.target && node.children.length === 0) {
      item.command = { command: REVEAL_LOCATION_COMMAND, title: 'Go to Rule', arguments: [node.target] };
    } else if (node.command) {
      item.command = { command: node.command, title: node.label, arguments: [] };
    }
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Opens a file from the report at its 1-based line (in the active editor group unless a column is given). */
export async function revealTarget(target: Target, viewColumn?: vscode.ViewColumn): Promise<void> {
  const uri = vscode.Uri.parse(target.uri);
  const document = await vscode.workspace.openTextDocument(uri);
  const line = Math.max(0, Math.min((target.line ?? 1) - 1, document.lineCount - 1));
  const position = new vscode.Position(line, document.lineAt(line).firstNonWhitespaceCharacterIndex);
  await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position), preserveFocus: false, ...(viewColumn !== undefined ? { viewColumn } : {}) });
}
