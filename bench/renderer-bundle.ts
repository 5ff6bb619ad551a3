// Size of the renderer bundle the desktop app and `serve` hand to the browser: every
// out/renderer/assets/*.js and *.css, raw and gzip (node:zlib, level 9, what a server would send),
// from a fresh `electron-vite build` of the current sources. Baseline, same run, same Vite and
// React plugin: a bare React 19 page (createRoot + one <h1>), i.e. what React alone costs, so the
// figure above it is the app's own code and libraries.
// Run: node bench/renderer-bundle.ts
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { machine } from './lib/stats.ts';

const repo = path.resolve(import.meta.dirname, '..');
const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-bundle-'));

interface Sizes {
  files: { file: string; bytes: number; gzip_bytes: number }[];
  js: { bytes: number; gzip_bytes: number };
  css: { bytes: number; gzip_bytes: number };
  total: { bytes: number; gzip_bytes: number };
}

function measure(assets: string): Sizes {
  const files = readdirSync(assets)
    .filter((f) => f.endsWith('.js') || f.endsWith('.css'))
    .sort()
    .map((file) => {
      const data = readFileSync(path.join(assets, file));
      return { file, bytes: data.length, gzip_bytes: gzipSync(data, { level: 9 }).length };
    });
  const sum = (ext: string) => files.filter((f) => ext === '' || f.file.endsWith(ext)).reduce((a, f) => ({ bytes: a.bytes + f.bytes, gzip_bytes: a.gzip_bytes + f.gzip_bytes }), { bytes: 0, gzip_bytes: 0 });
  return { files, js: sum('.js'), css: sum('.css'), total: sum('') };
}

try {
  const out = path.join(root, 'app');
  const built = spawnSync(process.execPath, [path.join(repo, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', out, '--logLevel', 'error'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0) throw new Error('electron-vite build failed');
  const app = measure(path.join(out, 'renderer', 'assets'));

  // The baseline page, built from a folder inside the repository so it resolves the same react.
  const bare = path.join(repo, 'node_modules', '.cache', `bench-bare-react-${process.pid}`);
  mkdirSync(bare, { recursive: true });
  try {
    writeFileSync(path.join(bare, 'index.html'), '<!doctype html><html lang="en"><title>bare</title><div id="root"></div><script type="module" src="./main.tsx"></script></html>\n');
    writeFileSync(path.join(bare, 'main.tsx'), "import { createRoot } from 'react-dom/client';\ncreateRoot(document.getElementById('root')!).render(<h1>Hello</h1>);\n");
    await build({ root: bare, configFile: false, logLevel: 'error', plugins: [react()], build: { outDir: path.join(root, 'bare'), emptyOutDir: true } });
  } finally {
    rmSync(bare, { recursive: true, force: true });
  }
  const baseline = measure(path.join(root, 'bare', 'assets'));

  process.stdout.write(
    `${JSON.stringify(
      {
        benchmark: 'renderer-bundle',
        what: 'out/renderer/assets/*.js and *.css from electron-vite build; gzip level 9',
        renderer: app,
        baseline: { what: 'a bare React 19 page (createRoot, one <h1>) built by the same Vite, same run', ...baseline },
        over_baseline_gzip_bytes: app.total.gzip_bytes - baseline.total.gzip_bytes,
        ratio_gzip: Number((app.total.gzip_bytes / baseline.total.gzip_bytes).toFixed(3)),
        machine: machine(),
      },
      null,
      2,
    )}\n`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
