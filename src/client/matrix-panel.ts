// The verdict matrix webview: one panel, re-rendered when the report or the filter changes. Its
// HTML comes from matrix-html.ts; messages back are checked against the report before a file
// is opened.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { matrixHtml, parseMatrixMessage } from './matrix-html';
import { revealTarget } from './node-tree-provider';
import type { ReportStore } from './report-store';

export const MATRIX_VIEW_TYPE = 'amlnet.matrix';

export class MatrixPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: ReportStore,
    private readonly onlyFailing: () => boolean,
  ) {
    this.disposables.push({ dispose: this.store.onDidChange(() => this.render()).dispose });
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(MATRIX_VIEW_TYPE, 'Azure ML Network: Matrix', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [],
      enableFindWidget: true,
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'amlnet.svg');
    this.panel = panel;
    panel.onDidDispose(() => {
      this.panel = undefined;
    }, undefined, this.disposables);
    panel.webview.onDidReceiveMessage((message: unknown) => {
      const reveal = parseMatrixMessage(message, this.store.result?.report);
      if (!reveal) return;
      // Beside the matrix, so it stays in view while rules are opened one after another.
      const column = panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
      revealTarget(reveal, column).catch((err: unknown) => void vscode.window.showErrorMessage(`Azure ML Network: cannot open ${reveal.uri}: ${(err as Error).message}`));
    }, undefined, this.disposables);
    this.render();
  }

  /** Re-renders the open panel, if any. */
  render(): void {
    if (!this.panel) return;
    const result = this.store.result;
    this.panel.webview.html = matrixHtml({
      report: result?.report,
      indexing: result?.state !== 'ready',
      onlyFailing: this.onlyFailing(),
      nonce: randomBytes(16).toString('base64'),
      displayPath: (uri) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri), true),
    });
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
