// Bundles the CLI with esbuild: one small entry plus lazily loaded chunks, so each command loads
// only its own code. Native modules stay external (they ship prebuilt binaries in their packages).
// Also builds the SDK (`mcp-warden/sdk`): one dependency-free ESM file plus its type declarations.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: { run: 'cli/run.ts' },
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // write-file-atomic names its temporary files from __filename, which an ESM bundle does not define.
  external: ['better-sqlite3', '@napi-rs/keyring', '@modelcontextprotocol/sdk', 'write-file-atomic'],
  define: { __WARDEN_VERSION__: JSON.stringify(pkg.version) },
  // Prefer packages' ESM builds: jsonc-parser's UMD main requires its modules in a way no bundler can follow.
  mainFields: ['module', 'main'],
  sourcemap: 'linked',
  logLevel: 'warning',
  // Bundled CommonJS dependencies may call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __wardenCreateRequire } from 'node:module'; const require = __wardenCreateRequire(import.meta.url);" },
});

rmSync('dist/sdk', { recursive: true, force: true });
await build({
  entryPoints: { index: 'sdk/index.ts' },
  outdir: 'dist/sdk',
  bundle: true,
  format: 'esm',
  // fetch only: it runs in Node, Deno, Bun and browsers.
  platform: 'neutral',
  target: 'es2022',
  sourcemap: 'linked',
  logLevel: 'warning',
});
// Type-only imports of core/api come along as declarations; the bundle holds none of that code.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.sdk.json'], { stdio: 'inherit' });
