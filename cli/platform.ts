import os from 'node:os';
import type { PlatformEnv } from '../core/api/discovery.ts';

/** Where this process looks for client configs: its platform, environment and home directory. */
export const hostPlatform = (): PlatformEnv => ({ platform: process.platform, env: process.env, homedir: os.homedir() });
