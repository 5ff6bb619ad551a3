// The ports the shell's logic talks to instead of Electron itself. The real implementations are in
// electron-ports.ts (the only module besides index.ts that imports 'electron' at run time); tests
// under plain Node pass fakes. Types only, so Node's type stripping leaves nothing behind.
import type { TrayState } from './tray-state.ts';

/** The tray icon: shows a state and its menu, and reports which menu item was clicked. */
export interface TrayPort {
  show(state: TrayState): void;
  /** Called with the item's id (`open`, `scan-now`, `pause`, `alert:<id>`, `quit`, ...). */
  onCommand(listener: (id: string) => void): void;
  destroy(): void;
}

/** One native notification: what it says and where a click on it leads (a renderer route). */
export interface NotificationRequest {
  title: string;
  body: string;
  /** `#/alerts/<id>` for one alert, `#/alerts` for a group. */
  target: string;
  /** Critical alerts ask the OS to keep the notification on screen. */
  urgency: 'normal' | 'critical';
}

export interface NotificationPort {
  show(request: NotificationRequest, onClick: () => void): void;
}

/** macOS and Windows login items (Electron's app.get/setLoginItemSettings). */
export interface LoginItemsPort {
  get(): boolean;
  set(enabled: boolean): void;
}
