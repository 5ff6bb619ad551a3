import fs from 'node:fs';
import path from 'node:path';
import { WardenError } from '../api/errors.ts';

export interface ResolveContext {
  /** Directory a relative path is resolved against. */
  cwd: string;
  env: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
}

/**
 * Resolves a command to the absolute path of an existing executable file, as a shell would: a name
 * with a path separator is taken relative to `cwd`; a bare name is looked up on PATH.
 */
export function resolveCommand(command: string, where: ResolveContext): string {
  const platform = where.platform ?? process.platform;
  const hasSeparator = command.includes('/') || (platform === 'win32' && command.includes('\\'));
  if (hasSeparator || path.isAbsolute(command)) {
    const candidate = path.resolve(where.cwd, command);
    const problem = executableProblem(candidate, platform);
    if (problem !== undefined) throw new WardenError('not_found', `The command ${candidate} ${problem}.`, 'command');
    return candidate;
  }
  const dirs = (where.env.PATH ?? where.env.Path ?? '').split(path.delimiter).filter((d) => d !== '');
  const extensions = platform === 'win32' ? ['', ...(where.env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';')] : [''];
  let notExecutable: string | undefined;
  for (const dir of dirs) {
    for (const ext of extensions) {
      const candidate = path.resolve(where.cwd, dir, command + ext);
      const problem = executableProblem(candidate, platform);
      if (problem === undefined) return candidate;
      if (problem === 'is not executable') notExecutable ??= candidate;
    }
  }
  if (notExecutable !== undefined) {
    throw new WardenError('not_found', `The command "${command}" was found on PATH at ${notExecutable}, but it is not executable.`, 'command');
  }
  throw new WardenError('not_found', `The command "${command}" was not found on PATH.`, 'command');
}

/** Why `file` cannot be run, or undefined when it can. */
function executableProblem(file: string, platform: NodeJS.Platform): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return 'does not exist';
  }
  if (stat.isDirectory()) return 'is a directory, not an executable file';
  if (!stat.isFile()) return 'is not a regular file';
  if (platform === 'win32') return undefined;
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return undefined;
  } catch {
    return 'is not executable';
  }
}
