/**
 * `mcp-warden`: the command tree. Each action imports its module on demand, so a command loads only
 * what it uses (`mcp list` never loads zod or the keychain) and start-up stays fast.
 */
import { Command, CommanderError, Option } from 'commander';
import { exitCodeFor, WardenError } from '../core/api/errors.ts';
import { printError, safeText } from './output.ts';

declare const __WARDEN_VERSION__: string | undefined;
const VERSION = typeof __WARDEN_VERSION__ === 'string' ? __WARDEN_VERSION__ : '0.0.0-dev';

type Opts = Record<string, unknown>;
const globals = (cmd: Command): Opts => cmd.optsWithGlobals();

export function buildProgram(): Command {
  const program = new Command('mcp-warden')
    .description('Know which MCP servers your AI clients can start, what they run, and when that changes.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--home <dir>', 'data directory (default: $MCP_WARDEN_HOME, else the platform app-data directory)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(safeText(text.replace(/^error: /, 'mcp-warden: '))) });

  const mcp = program.command('mcp').description('register, inspect and remove MCP servers');
  const json = () => new Option('--json', 'print one JSON document');

  // --args and --arg land in one list in command-line order; options events fire in that order.
  const argv: string[] = [];
  const add = mcp
    .command('add')
    .description('register a server (a blueprint: nothing is spawned or contacted)')
    .argument('<name>', "unique name: 1 to 64 letters, digits, '-', '_' or '.'")
    .argument('<transport>', 'stdio, http or sse')
    .option('--command <path>', 'executable for stdio; a bare name is looked up on PATH')
    .option('--args <list>', 'arguments, split on commas')
    .option('--arg <value>', 'one argument (repeatable; for an argument holding a comma)')
    .option('--url <url>', 'absolute http(s) URL for http and sse')
    .option('--header <name=value>', 'HTTP header (repeatable); the value may hold {{secret:NAME}}', collect)
    .option('--env <key=value>', 'environment variable (repeatable); the value may hold {{secret:NAME}}', collect)
    .option('--cwd <dir>', 'working directory for stdio')
    .option('--display-name <text>', 'name shown to users')
    .option('--description <text>', 'what the server is for')
    .option('--capabilities <list>', 'declared tool names, split on commas')
    .addOption(json());
  add.on('option:args', (value: string) => argv.push(...value.split(',')));
  add.on('option:arg', (value: string) => argv.push(value));
  add.action(async (name: string, transport: string, _o: Opts, cmd: Command) => (await import('./commands/mcp.ts')).add(name, transport, { ...globals(cmd), argv }));

  mcp
    .command('list')
    .description('list registered servers')
    .addOption(json())
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/mcp.ts')).list(globals(cmd)));
  mcp
    .command('show')
    .description('show one server in full')
    .argument('<name>', 'server name or id')
    .addOption(json())
    .action(async (name: string, _o: Opts, cmd: Command) => (await import('./commands/mcp.ts')).show(name, globals(cmd)));
  mcp
    .command('remove')
    .description('remove a server from the registry')
    .argument('<name>', 'server name or id')
    .addOption(json())
    .action(async (name: string, _o: Opts, cmd: Command) => (await import('./commands/mcp.ts')).remove(name, globals(cmd)));

  mcp
    .command('approve')
    .description('approve a server as it is now: its current config entry and executable become the accepted definition')
    .argument('<name>', 'server name or id')
    .addOption(json())
    .action(async (name: string, _o: Opts, cmd: Command) => (await import('./commands/mcp.ts')).approve(name, globals(cmd)));

  mcp
    .command('link')
    .description('declare that a client may start a server registered by hand: its config entry is then checked against this definition')
    .argument('<name>', 'server name or id (registered by hand)')
    .requiredOption('--client <client>', 'claude-desktop, claude-code, cursor, vscode, windsurf, gemini-cli or cline')
    .option('--config <path>', "the client's config file (default: its first one that exists)")
    .option('--key <key>', 'the entry key in that config (default: the server name)')
    .addOption(json())
    .action(async (name: string, _o: Opts, cmd: Command) => (await import('./commands/mcp.ts')).link(name, globals(cmd)));

  mcp
    .command('attach')
    .description("write the server into a client's config as an entry that runs the MCP Warden launcher (atomic write, backup next to the file)")
    .argument('<name>', 'server name or id (approved or registered by hand)')
    .requiredOption('--client <client>', 'claude-desktop, claude-code, cursor, vscode, windsurf, gemini-cli or cline')
    .option('--config <path>', "the client's config file (default: where the server is listed, else the client's first config that exists)")
    .option('--key <key>', 'the entry key in that config (default: its key there, else the server name)')
    .addOption(json())
    .action(async (name: string, _o: Opts, cmd: Command) => (await import('./commands/attach.ts')).attach(name, globals(cmd)));
  mcp
    .command('detach')
    .description("put a plain entry back in a client's config instead of the launcher one (or remove it)")
    .argument('<name>', 'server name or id')
    .requiredOption('--client <client>', 'claude-desktop, claude-code, cursor, vscode, windsurf, gemini-cli or cline')
    .option('--config <path>', "the client's config file (default: where the server is attached)")
    .option('--remove', 'remove the entry instead of restoring a plain one')
    .addOption(json())
    .action(async (name: string, _o: Opts, cmd: Command) => (await import('./commands/attach.ts')).detach(name, globals(cmd)));

  mcp
    .command('probe')
    .description('start (or connect to) servers over MCP and record their tools, prompts and resources; pins an approved server on its first probe')
    .argument('[name]', 'server name or id')
    .option('--all', 'probe every registered server (a few at a time: settings probe-concurrency)')
    .option('--timeout <seconds>', 'connect timeout (default 15 s, 60 s for npx launches)')
    .option('--yes', 'also start servers that were only discovered and never approved')
    .addOption(json())
    .action(async (name: string | undefined, _o: Opts, cmd: Command) => (await import('./commands/probe.ts')).probe(name, globals(cmd)));
  mcp
    .command('attest')
    .description('measure what the server runs and sign it with the device key (Ed25519, DSSE)')
    .argument('<name>', 'server name or id')
    .option('--out <file>', 'also write the signed envelope to a file (verify it with verify-file)')
    .option('--publisher-key <key>', "the publisher's key, ed25519:<base64>")
    .option('--checksum <checksum>', "the expected checksum of the server's primary artifact: sha256:<hex> or sha512-<base64>")
    .option('--signature <base64>', "the publisher's Ed25519 signature over the canonical attestation_data")
    .addOption(json())
    .action(async (name: string, _o: Opts, cmd: Command) => (await import('./commands/attest.ts')).attest(name, globals(cmd)));
  mcp
    .command('verify')
    .description('measure again and compare with the attestation; a difference is a high alert (exit 1)')
    .argument('[name]', 'server name or id')
    .option('--all', 'verify every attested server')
    .addOption(json())
    .action(async (name: string | undefined, _o: Opts, cmd: Command) => (await import('./commands/attest.ts')).verify(name, globals(cmd)));

  mcp
    .command('secure')
    .description("move the server's plaintext secrets from client configs to the OS keychain; its entries then run through the launcher with {{secret:NAME}} handles")
    .argument('<name>', 'server name or id')
    .addOption(json())
    .action(async (name: string, _o: Opts, cmd: Command) => (await import('./commands/secure.ts')).secure(name, globals(cmd)));
  program
    .command('apply')
    .description('make the registry and client configs match a manifest: register, update and attach the servers it lists (idempotent)')
    .requiredOption('-f, --file <file>', 'the manifest (YAML)')
    .option('--dry-run', 'print the plan and change nothing')
    .addOption(json())
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/apply.ts')).apply(globals(cmd)));

  mcp
    .command('allow-rule')
    .description('silence one content-scan rule for one server (a false positive); audited')
    .argument('<name>', 'server name or id')
    .argument('<rule>', 'content-scan rule id, as findings show it')
    .addOption(json())
    .action(async (name: string, rule: string, _o: Opts, cmd: Command) => (await import('./commands/mcp.ts')).allowRule(name, rule, true, globals(cmd)));
  mcp
    .command('disallow-rule')
    .description('apply a content-scan rule to a server again')
    .argument('<name>', 'server name or id')
    .argument('<rule>', 'content-scan rule id')
    .addOption(json())
    .action(async (name: string, rule: string, _o: Opts, cmd: Command) => (await import('./commands/mcp.ts')).allowRule(name, rule, false, globals(cmd)));

  const secrets = program.command('secrets').description('keep secrets in the OS keychain for {{secret:NAME}} handles');
  secrets
    .command('add')
    .description('store a secret; the value is read from stdin (hidden on a terminal)')
    .argument('<name>', "1 to 64 letters, digits, '-', '_' or '.'")
    .option('--description <text>', 'what the secret is')
    .option('--replace', 'replace the value of an existing secret')
    .addOption(json())
    .action(async (name: string, _o: Opts, cmd: Command) => (await import('./commands/secrets.ts')).add(name, globals(cmd)));
  secrets
    .command('list')
    .description('list secret names, when they were added and which servers use them (never values)')
    .addOption(json())
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/secrets.ts')).list(globals(cmd)));
  secrets
    .command('remove')
    .description('remove a secret from the keychain')
    .argument('<name>', 'secret name')
    .option('--force', 'remove it even while servers reference it')
    .addOption(json())
    .action(async (name: string, _o: Opts, cmd: Command) => (await import('./commands/secrets.ts')).remove(name, globals(cmd)));
  secrets
    .command('status')
    .description('say whether the OS keychain is available and persistent')
    .addOption(json())
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/secrets.ts')).status(globals(cmd)));

  program
    .command('verify-file')
    .description('verify an exported attestation offline with the signer\'s public key')
    .argument('<file>', 'the envelope file written by mcp attest --out')
    .option('--key <key>', 'the public key, ed25519:<base64>')
    .addOption(json())
    .action(async (file: string, _o: Opts, cmd: Command) => (await import('./commands/attest.ts')).verifyFile(file, globals(cmd)));
  program
    .command('trust')
    .description("a server's trust score (0-100) with the factors and evidence behind it")
    .argument('<name>', 'server name or id')
    .option('--history', 'include every earlier score with its breakdown')
    .addOption(json())
    .action(async (name: string, _o: Opts, cmd: Command) => (await import('./commands/attest.ts')).trust(name, globals(cmd)));
  program
    .command('scan')
    .description('discover every client config once, register new servers, raise drift alerts; exit 3 on a high or critical finding')
    .addOption(json())
    .option('--sarif <file>', 'also write the findings as SARIF 2.1.0')
    .option('--fix-secrets', 'move every plaintext secret found in a client config to the OS keychain (the entry then runs through the launcher)')
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/scan.ts')).scan(globals(cmd)));
  program
    .command('watch')
    .description('watch every client config and raise drift alerts as they change (high and critical ones on stderr)')
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/watch.ts')).watchConfigs(globals(cmd)));
  program
    .command('serve')
    .description('serve the REST API (/api/v1) and the web UI on loopback, and watch client configs unless another monitor does')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option('--host <host>', 'address to listen on: loopback unless --allow-remote', '127.0.0.1')
    .option('--allow-remote', 'allow a non-loopback --host (needs --tls-cert and --tls-key)')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--public-host <name>', 'a host name a remote bind answers to (repeatable)', collect)
    .option('--no-monitor', 'serve without watching client configs')
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/serve.ts')).serve(globals(cmd)));
  program
    .command('run')
    .description('start a registered stdio server for an MCP client: keychain secrets, attestation check, watched tool calls (what attach writes into client configs)')
    .argument('<name>', 'server name')
    .action(async (name: string, _o: Opts, cmd: Command) => (await import('./commands/run.ts')).run(name, globals(cmd)));
  const apiKey = program.command('api-key').description('create, list and revoke REST API keys (stored hashed; a key is shown once)');
  apiKey
    .command('create')
    .description('create a key and print it once')
    .requiredOption('--name <name>', 'what will use the key')
    .addOption(json())
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/api-key.ts')).create(globals(cmd)));
  apiKey
    .command('list')
    .description('list keys: names, prefixes, dates (never the keys)')
    .addOption(json())
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/api-key.ts')).list(globals(cmd)));
  apiKey
    .command('revoke')
    .description('revoke a key: requests using it fail at once')
    .argument('<name>', 'key name')
    .addOption(json())
    .action(async (name: string, _o: Opts, cmd: Command) => (await import('./commands/api-key.ts')).revoke(name, globals(cmd)));
  program
    .command('clients')
    .description('list the client config files seen and how many servers each lists')
    .addOption(json())
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/clients.ts')).list(globals(cmd)));

  const alerts = program
    .command('alerts')
    .description('list alerts (open and acknowledged unless --state), acknowledge or resolve them')
    .addOption(json())
    .option('--state <state>', 'open, acknowledged, resolved or all')
    .option('--severity <severity>', 'this severity and above: info, low, medium, high, critical')
    .option('--server <name>', 'only alerts about this server')
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/alerts.ts')).list(globals(cmd)));
  alerts
    .command('ack')
    .description('acknowledge an alert')
    .argument('<id>', 'alert id')
    .addOption(json())
    .action(async (id: string, _o: Opts, cmd: Command) => (await import('./commands/alerts.ts')).setState(id, 'acknowledged', globals(cmd)));
  alerts
    .command('resolve')
    .description('resolve an alert')
    .argument('<id>', 'alert id')
    .addOption(json())
    .action(async (id: string, _o: Opts, cmd: Command) => (await import('./commands/alerts.ts')).setState(id, 'resolved', globals(cmd)));

  const audit = program
    .command('audit')
    .description('show the hash-chained audit trail')
    .addOption(json())
    .option('--server <name>', 'only events about this server')
    .option('--type <type>', 'only events of this type (server.registered, alert.opened, ...)')
    .option('--limit <n>', 'only the last n events')
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/audit.ts')).list(globals(cmd)));
  audit
    .command('verify')
    .description('check the hash chain; exit 1 naming the first broken event')
    .addOption(json())
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/audit.ts')).verify(globals(cmd)));
  audit
    .command('export')
    .description('export every event as JSON Lines')
    .option('--format <format>', 'jsonl', 'jsonl')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/audit.ts')).exportTrail(globals(cmd)));

  const settings = program
    .command('settings')
    .description('show settings')
    .addOption(json())
    .action(async (_o: Opts, cmd: Command) => (await import('./commands/settings.ts')).show(globals(cmd)));
  settings
    .command('set')
    .description('change a setting: new-server-policy register|alert')
    .argument('<key>', 'setting name')
    .argument('<value>', 'new value')
    .action(async (key: string, value: string, _o: Opts, cmd: Command) => (await import('./commands/settings.ts')).set(key, value, globals(cmd)));

  return program;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return report(error);
  }
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version are not failures; commander already printed the usage error.
    return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
  }
  if (error instanceof WardenError) {
    printError(`mcp-warden: ${error.message}\n`);
    return exitCodeFor(error);
  }
  const message = error instanceof Error ? error.message : String(error);
  printError(`mcp-warden: unexpected error: ${message}${process.env.MCP_WARDEN_DEBUG ? `\n${(error as Error).stack ?? ''}` : ' (set MCP_WARDEN_DEBUG=1 for details)'}\n`);
  return 1;
}
