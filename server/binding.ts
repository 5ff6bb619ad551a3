/**
 * Which names this server answers to. A request whose `Host` is not one of them is refused (DNS
 * rebinding: a hostile page's own name resolving to 127.0.0.1 still sends its name as Host), and a
 * browser request whose `Origin` is not one of our own origins is refused (no CORS, ever).
 */
import net from 'node:net';

export interface Binding {
  scheme: 'http' | 'https';
  /** The address the socket is bound to, as `server.address()` reports it. */
  address: string;
  port: number;
  /** Extra names a remote bind answers to (`--public-host`). */
  publicHosts: readonly string[];
}

/** 127.0.0.0/8, ::1 and `localhost`: the only hosts `serve` binds to without --allow-remote. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  // An IPv4-mapped IPv6 loopback address.
  return /^::ffff:127\.\d+\.\d+\.\d+$/.test(bare);
}

const isWildcard = (address: string): boolean => address === '0.0.0.0' || address === '::';

/** `host:port` the way a Host header writes it (IPv6 in brackets). */
export const hostPort = (host: string, port: number): string => `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;

/** Every accepted `Host` value, lowercase. */
export function allowedHosts(binding: Binding): Set<string> {
  const names = new Set<string>();
  if (isLoopback(binding.address) || isWildcard(binding.address)) for (const name of ['127.0.0.1', 'localhost', '::1']) names.add(name);
  if (!isWildcard(binding.address)) names.add(binding.address.toLowerCase());
  for (const name of binding.publicHosts) names.add(name.toLowerCase());
  const hosts = new Set<string>();
  const defaultPort = binding.scheme === 'https' ? 443 : 80;
  for (const name of names) {
    hosts.add(hostPort(name, binding.port));
    // Browsers leave the port out of Host and Origin when it is the scheme's default.
    if (binding.port === defaultPort) hosts.add(net.isIPv6(name) ? `[${name}]` : name);
  }
  return hosts;
}

/** Our own origins: `scheme://host[:port]` for every accepted Host. */
export function allowedOrigins(binding: Binding, hosts: ReadonlySet<string> = allowedHosts(binding)): Set<string> {
  return new Set([...hosts].map((host) => `${binding.scheme}://${host}`));
}

/** The base URL printed to the user: the bound address, or the first public name of a remote bind. */
export function baseUrl(binding: Binding): string {
  const name = binding.publicHosts[0] ?? (isWildcard(binding.address) ? '127.0.0.1' : binding.address);
  const defaultPort = binding.scheme === 'https' ? 443 : 80;
  const host = binding.port === defaultPort ? (net.isIPv6(name) ? `[${name}]` : name) : hostPort(name, binding.port);
  return `${binding.scheme}://${host}`;
}
