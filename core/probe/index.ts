/** Probing MCP servers: the public surface of `core/probe/`. */
export {
  probeServer,
  probeMany,
  DEFAULT_CONCURRENCY,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_PAGES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type ProbeManyOptions,
  type ProbeOptions,
  type ProbeProgress,
} from './probe.ts';
export { confirmedMessage, consentRefusal, consentRefusalMessage, consentVerdict, needsConsent, seenRefusalMessage, type Consenter, type ConsentVerdict, type SeenLaunch } from './consent.ts';
