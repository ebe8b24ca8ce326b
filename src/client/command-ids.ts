// Every command the extension contributes, in one list: commands.ts must register a handler for
// each (the type checks it) and test/client/package.test.ts checks package.json against it. The
// ids are stable: the end-to-end tests and the server's CodeLens (`amlnet.showNsgInTree`) use them.

export const COMMAND_IDS = [
  'amlnet.refresh',
  'amlnet.fixNsg',
  'amlnet.fixFile',
  'amlnet.switchEdition',
  'amlnet.setRegion',
  'amlnet.setPublicIp',
  'amlnet.setHbi',
  'amlnet.setCloud',
  'amlnet.showOnlyFailing',
  'amlnet.showAll',
  'amlnet.exportMarkdown',
  'amlnet.openDocs',
  'amlnet.showNsgInTree',
  'amlnet.openMatrix',
  'amlnet.revealLocation',
  'amlnet.showLog',
  'amlnet.azure.signIn',
  'amlnet.azure.signOut',
  'amlnet.azure.refresh',
  'amlnet.azure.cancel',
  'amlnet.azure.pickSubscriptions',
  'amlnet.azure.showFixCommands',
  'amlnet.azure.showFixBicep',
  'amlnet.azure.showFixArm',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];

/** The page `amlnet.openDocs` opens when the server has not said which edition is active. */
export const DEFAULT_DOCS_URL = 'https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall';
