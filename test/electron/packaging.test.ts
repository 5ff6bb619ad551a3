// electron-builder.yml, checked without running electron-builder (it downloads Electron, which CI
// cannot reach): the targets per platform, the native modules unpacked from the asar, and the file
// filters, applied with electron-builder's own matcher (app-builder-lib) to the prebuilt binaries
// each platform and arch would ship.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
// js-yaml has no type declarations of its own; load() is all this test uses.
const yaml = require('js-yaml') as { load(text: string): unknown };

interface Config {
  files: (string | object)[];
  asarUnpack: string[];
  npmRebuild: boolean;
  extraResources: { from: string; to: string; filter: string[] }[];
  linux: { target: string[] };
  mac: { target: string | string[] };
  win: { target: string | string[] };
}
const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Config;

// electron-builder's matcher, as it filters node_modules (app-builder-lib/out/fileMatcher.js).
const { FileMatcher } = require('app-builder-lib/out/fileMatcher.js') as {
  FileMatcher: new (from: string, to: string, expand: (p: string) => string, patterns?: string[]) => { addPattern(p: string): void; prependPattern(p: string): void; createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean };
};

/** Whether electron-builder would pack `relative` (a node_modules path) when building for platform/arch. */
function packed(relative: string, platform: string, arch: string): boolean {
  // Same expansion as app-builder-lib/out/util/macroExpander.js: ${platform} is process.platform of the build host.
  const expand = (pattern: string) => pattern.replace(/\$\{platform\}/g, platform).replace(/\$\{arch\}/g, arch);
  const appDir = '/app';
  const matcher = new FileMatcher(appDir, appDir, expand, []);
  for (const pattern of config.files) if (typeof pattern === 'string' && pattern.startsWith('!')) matcher.addPattern(pattern);
  matcher.prependPattern('**/*');
  return matcher.createFilter()(path.join(appDir, relative), { isDirectory: () => false });
}

test('targets: AppImage and deb on Linux, dmg on macOS, NSIS on Windows', () => {
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.deepEqual([config.mac.target].flat(), ['dmg']);
  assert.deepEqual([config.win.target].flat(), ['nsis']);
  assert.equal(config.npmRebuild, false, 'Node-API prebuilt binaries load in Electron as they are: nothing is rebuilt');
  assert.deepEqual(config.extraResources[0]?.filter, ['icon.png', 'tray-*.png'], 'the icons the shell reads from resourcesPath');
  const icons = readdirSync(path.join(root, 'resources'));
  for (const name of ['icon.png', 'tray-calm.png', 'tray-calm@2x.png', 'tray-alert.png', 'tray-alert@2x.png']) assert.ok(icons.includes(name), name);
});

test('native modules are unpacked from the asar archive', () => {
  assert.ok(config.asarUnpack.includes('**/node_modules/better-sqlite3/**'));
  assert.ok(config.asarUnpack.includes('**/node_modules/@napi-rs/**'), 'the keyring and its per-platform binary package');
});

test('only the packaged platform\'s prebuilt binaries are kept', () => {
  const prebuilds = readdirSync(path.join(root, 'node_modules', 'better-sqlite3', 'prebuilds')).filter((f) => f.endsWith('.node'));
  assert.ok(prebuilds.length >= 6, `better-sqlite3 ships every platform's binary: ${prebuilds.join(', ')}`);
  for (const [platform, arch] of [['linux', 'x64'], ['linux', 'arm64'], ['darwin', 'arm64'], ['darwin', 'x64'], ['win32', 'x64']] as const) {
    const kept = prebuilds.filter((f) => packed(`node_modules/better-sqlite3/prebuilds/${f}`, platform, arch));
    assert.deepEqual(kept, [`${platform}-${arch}.node`], `${platform}-${arch}`);
    assert.equal(packed('node_modules/better-sqlite3/lib/index.js', platform, arch), true, 'its JavaScript stays');
    assert.equal(packed('node_modules/better-sqlite3/src/better_sqlite3.cpp', platform, arch), false, 'its C++ sources go');
  }
  const keyring = ['keyring-linux-x64-gnu', 'keyring-linux-x64-musl', 'keyring-darwin-arm64', 'keyring-win32-x64-msvc'];
  const keptKeyring = (platform: string, arch: string) => keyring.filter((p) => packed(`node_modules/@napi-rs/${p}/keyring.node`, platform, arch));
  assert.deepEqual(keptKeyring('linux', 'x64'), ['keyring-linux-x64-gnu', 'keyring-linux-x64-musl']);
  assert.deepEqual(keptKeyring('darwin', 'arm64'), ['keyring-darwin-arm64']);
  assert.deepEqual(keptKeyring('win32', 'x64'), ['keyring-win32-x64-msvc']);
  assert.equal(packed('node_modules/@napi-rs/keyring/index.js', 'win32', 'x64'), true, 'the loader package stays');
});
