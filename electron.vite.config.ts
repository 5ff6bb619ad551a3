// Build of the desktop app: main process, sandboxed preload script and React renderer.
// `electron-vite build` writes out/main/index.js (ESM, package.json "main"), out/preload/index.cjs
// and out/renderer/index.html + assets.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { DEV_CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY, metaPolicy } from './electron/shared/csp';

const root = import.meta.dirname;

/**
 * Under the dev server only, swap the strict CSP meta tag for the dev policy: Vite's HMR client
 * and React Refresh need inline styles/scripts and a WebSocket. Builds keep the strict policy.
 */
function devCsp(): Plugin {
  return {
    name: 'mcp-warden:dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace(META_CONTENT_SECURITY_POLICY, metaPolicy(DEV_CONTENT_SECURITY_POLICY));
    },
  };
}

export default defineConfig({
  main: {
    build: {
      // Every runtime dependency stays external and is loaded from node_modules (electron-builder
      // packs the production dependencies). The native ones must: they load a .node binary.
      externalizeDeps: { include: ['better-sqlite3', '@napi-rs/keyring'] },
      rolldownOptions: {
        input: { index: resolve(root, 'electron/main/index.ts') },
        // ESM, since package.json says "type": "module": out/main/index.js
      },
    },
  },
  preload: {
    build: {
      // Sandboxed preloads cannot be ES modules and cannot require() node_modules: bundle
      // everything into one CommonJS file. `.cjs` because the package is "type": "module".
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    // Relative asset URLs: the same build loads from Electron's file:// page and from serve's `/`.
    base: './',
    plugins: [react(), devCsp()],
    build: {
      // electron-vite leaves bundles unminified; this one is also served over HTTP by `mcp-warden serve`.
      minify: true,
      rolldownOptions: {
        input: { index: resolve(root, 'renderer/index.html') },
      },
    },
  },
});
