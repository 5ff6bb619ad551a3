import type { AppInfo, WardenBridge } from '../../electron/shared/ipc';

/** The desktop bridge when running inside Electron, undefined in a plain browser. */
export function desktopBridge(): WardenBridge | undefined {
  return typeof window !== 'undefined' ? window.warden : undefined;
}

/** App name/version/platform from the desktop shell, or undefined when there is none (or it fails). */
export async function loadAppInfo(): Promise<AppInfo | undefined> {
  const bridge = desktopBridge();
  if (!bridge) return undefined;
  try {
    return await bridge.appInfo();
  } catch {
    return undefined;
  }
}
