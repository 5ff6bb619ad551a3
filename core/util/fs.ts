import fs from 'node:fs';

/** True when `dir` exists and is a directory (following links); false on any error. */
export function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** True when `file` itself is a symbolic link (not followed); false on any error. */
export function isSymbolicLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
