import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';

const SERVER_TEXT: Record<State, { icon: string; label: string }> = {
  [State.Starting]: { icon: '$(sync~spin)', label: 'starting' },
  [State.Running]: { icon: '$(check)', label: 'running' },
  [State.Stopped]: { icon: '$(error)', label: 'stopped' },
};

/**
 * One status bar item: the language server's state, and the farm's once a
 * preview runs ("node01 booting"). Clicking it shows the output.
 */
export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('netbootFarm.status', vscode.StatusBarAlignment.Left, 10);
  private server: State = State.Stopped;
  private farm: string | undefined;

  constructor(showOutputCommand: string) {
    this.item.name = 'Netboot Farm';
    this.item.command = showOutputCommand;
    this.render();
    this.item.show();
  }

  /** The language server's state as the language client reports it. */
  get serverState(): State {
    return this.server;
  }

  setServer(state: State): void {
    this.server = state;
    this.render();
  }

  /** The farm's state in a few words, or undefined when no preview runs. */
  setFarm(text: string | undefined): void {
    this.farm = text;
    this.render();
  }

  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const { icon, label } = SERVER_TEXT[this.server];
    this.item.text = `${icon} Netboot Farm${this.farm ? `: ${this.farm}` : ''}`;
    this.item.tooltip = `Language server ${label}${this.farm ? `; farm: ${this.farm}` : ''}. Click for the log.`;
    this.item.backgroundColor = this.server === State.Stopped ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
