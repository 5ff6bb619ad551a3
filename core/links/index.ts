/**
 * Config files (`agents`) and their entries (`agent_servers`, "links"): the public surface of
 * `core/links/`, the only module that reads or writes those two tables. Any new export here is
 * used outside; callers hold the transaction.
 */
export {
  configFileState,
  configsWithUnregisteredEntry,
  countConfigFilesOf,
  ensureConfigFile,
  findConfigFile,
  getConfigFile,
  listConfigFiles,
  markBaseline,
  recordConfigFile,
  storedLocations,
  type ConfigFileRow,
  type ConfigFileState,
} from './config-files.ts';
export {
  attestedServersOf,
  configsLinking,
  countToReview,
  discoveredServerWithKey,
  expectEntry,
  isAttachedFor,
  isLinkedIn,
  isListedAnywhere,
  linkAt,
  linkDeclaredEntry,
  linkDiscoveredEntry,
  linkLauncherEntry,
  linksOfConfig,
  linksOfServer,
  linksOfServerForClient,
  linksOfServerInConfig,
  listedServers,
  markAbsent,
  markAttached,
  markDetached,
  recordAttachedFrom,
  recordedLaunchers,
  recordLauncher,
  recordSeenEntry,
  removeExpectedEntries,
  removeLink,
  touchEntry,
  type Link,
  type LinkedEntry,
  type ListedServer,
} from './entries.ts';
export { configsWithEntries, type ConfigEntryRow } from './configs-view.ts';
