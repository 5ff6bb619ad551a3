// core/ is the engine: plain Node, tested under Node. It must never import Electron, React or the
// DOM. Type-checking already rejects DOM types (tsconfig.json has no DOM lib); this catches imports
// and DOM globals. Run: node scripts/check-core-boundary.ts  (exit 1 listing each violation)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const FORBIDDEN_MODULES = /^(electron|react|react-dom)(\/.*)?$/;
const SPECIFIERS = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s+['"]([^'"]+)['"]/gm];
const DOM_REFERENCE = /\/\/\/\s*<reference\s+lib\s*=\s*['"]dom/i;
// Not after a word character, '.', '$', '-' or '/': `json-document.ts` in an import path is no DOM use.
const DOM_GLOBALS = /(?<![\w.$/-])(window|document)\s*[.[]/;

export interface Violation {
  file: string;
  line: number;
  problem: string;
}

export function boundaryViolations(file: string, source: string): Violation[] {
  const found: Violation[] = [];
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;
  for (const pattern of SPECIFIERS) {
    for (const match of source.matchAll(pattern)) {
      const specifier = match[1] as string;
      if (FORBIDDEN_MODULES.test(specifier)) found.push({ file, line: lineOf(match.index), problem: `imports "${specifier}"` });
    }
  }
  source.split('\n').forEach((text, i) => {
    const code = text.replace(/\/\/(?!\/).*$/, '');
    if (DOM_REFERENCE.test(text)) found.push({ file, line: i + 1, problem: 'references the DOM lib' });
    else if (DOM_GLOBALS.test(code)) found.push({ file, line: i + 1, problem: 'uses a DOM global (window or document)' });
  });
  return found;
}

export function checkTree(dir: string): Violation[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(c|m)?tsx?$/.test(f))
    .flatMap((f) => boundaryViolations(path.join(dir, f), readFileSync(path.join(dir, f), 'utf8')));
}

if (import.meta.main) {
  const violations = checkTree(path.resolve(import.meta.dirname, '..', 'core'));
  for (const v of violations) process.stderr.write(`${v.file}:${v.line}: core/ must stay free of Electron and the DOM, but this ${v.problem}.\n`);
  process.exit(violations.length > 0 ? 1 : 0);
}
