// framecheck for VS Code: starts `framecheck lsp` and hands it the documents it checks.
'use strict';

const vscode = require('vscode');
const {LanguageClient, TransportKind} = require('vscode-languageclient/node');

let client;

function settings() {
  const config = vscode.workspace.getConfiguration('framecheck');
  const command = config.get('command', ['framecheck', 'lsp']);
  const languages = config.get('languages', {markdown: 'markdown', plaintext: 'text', html: 'html'});
  return {command, languages};
}

function start() {
  const {command, languages} = settings();
  const serverOptions = {command: command[0], args: command.slice(1), transport: TransportKind.stdio};
  const clientOptions = {
    documentSelector: Object.keys(languages).map((language) => ({scheme: 'file', language})),
    initializationOptions: {languages},
    synchronize: {
      // The configuration, rule packs and plugin files: a change reloads the server's rules.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{.framecheck.yaml,.framecheck.yml,pyproject.toml,*.yaml,*.yml,*.py}'),
    },
  };
  client = new LanguageClient('framecheck', 'framecheck', serverOptions, clientOptions);
  return client.start();
}

async function activate(context) {
  context.subscriptions.push(vscode.commands.registerCommand('framecheck.restart', async () => {
    if (client) {
      await client.stop();
    }
    await start();
  }));
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration(async (event) => {
    if (event.affectsConfiguration('framecheck')) {
      await vscode.commands.executeCommand('framecheck.restart');
    }
  }));
  await start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = {activate, deactivate};
