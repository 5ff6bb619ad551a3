import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { boundaryViolations, checkTree } from '../../scripts/check-core-boundary.ts';
import { ROOT } from '../helpers/cli.ts';

test('core/ imports nothing from Electron, React or the DOM', () => {
  assert.deepEqual(checkTree(path.join(ROOT, 'core')), []);
});

test('the boundary check catches each way of reaching Electron or the DOM', () => {
  const bad: [string, string][] = [
    ["import { app } from 'electron';", 'imports "electron"'],
    ["import type { IpcMain } from 'electron/main';", 'imports "electron/main"'],
    ["const e = await import('electron');", 'imports "electron"'],
    ["const e = require('electron');", 'imports "electron"'],
    ["import React from 'react';", 'imports "react"'],
    ['/// <reference lib="dom" />', 'references the DOM lib'],
    ['const w = window.innerWidth;', 'uses a DOM global (window or document)'],
    ["document['title'] = 'x';", 'uses a DOM global (window or document)'],
  ];
  for (const [source, problem] of bad) {
    assert.deepEqual(boundaryViolations('x.ts', source).map((v) => v.problem), [problem], source);
  }
  const fine = ["import fs from 'node:fs';", "import { z } from 'zod';", 'const electronApp = 1; // window.x in a comment', 'const mywindow = {}; mywindow.x = 1;', "import x from './electron-free.ts';", "import { read } from './json-document.ts';", "const w = await import('./window.ts');"];
  for (const source of fine) assert.deepEqual(boundaryViolations('x.ts', source), [], source);
});
