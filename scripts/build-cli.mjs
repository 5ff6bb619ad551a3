// Bundles the CLI with esbuild: one small entry plus lazily loaded chunks, so each command loads
// only its own code. Native modules stay external (they ship prebuilt binaries in their packages).
import { readFileSync } from 'node:fs';
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
  external: ['better-sqlite3', '@napi-rs/keyring', '@modelcontextprotocol/sdk'],
  define: { __WARDEN_VERSION__: JSON.stringify(pkg.version) },
  // Prefer packages' ESM builds: jsonc-parser's UMD main requires its modules in a way no bundler can follow.
  mainFields: ['module', 'main'],
  sourcemap: 'linked',
  logLevel: 'warning',
  // Bundled CommonJS dependencies may call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __wardenCreateRequire } from 'node:module'; const require = __wardenCreateRequire(import.meta.url);" },
});
