// The real Electron implementations of the ports in ports.ts. Kept apart from the logic they serve
// (tray-state.ts, notification-batch.ts, autostart.ts), which is tested under plain Node with fakes.
import { app, Menu, nativeImage, Notification, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { join } from 'node:path';
import type { LoginItemsPort, NotificationPort, NotificationRequest, TrayPort } from './ports.ts';
import type { TrayState } from './tray-state.ts';

/** resources/ in a checkout, process.resourcesPath in a packaged app (electron-builder extraResources). */
export function resourcesDir(): string {
  return app.isPackaged ? process.resourcesPath : join(app.getAppPath(), 'resources');
}

function trayImage(state: TrayState['state']): NativeImage {
  // macOS picks tray-<state>@2x.png by itself on Retina screens; elsewhere the 32 px one is used
  // directly, since Linux panels and Windows at 150 % and above are larger than 16 px.
  const name = process.platform === 'darwin' ? `tray-${state}.png` : `tray-${state}@2x.png`;
  return nativeImage.createFromPath(join(resourcesDir(), name));
}

export class ElectronTray implements TrayPort {
  readonly #tray: Tray;
  #listener: (id: string) => void = () => {};
  #shown: TrayState['state'] | undefined;

  constructor() {
    this.#tray = new Tray(trayImage('calm'));
    // Linux panels (StatusNotifierItem) show the menu on click; on Windows and macOS a click opens the window.
    this.#tray.on('click', () => this.#listener('open'));
  }

  show(state: TrayState): void {
    if (state.state !== this.#shown) {
      this.#tray.setImage(trayImage(state.state));
      this.#shown = state.state;
    }
    this.#tray.setToolTip(state.tooltip);
    // The count beside the icon in the macOS menu bar; Linux launchers (Unity API) and the macOS
    // dock show app.setBadgeCount where they can.
    if (process.platform === 'darwin') this.#tray.setTitle(state.badge > 0 ? String(state.badge) : '');
    app.setBadgeCount(state.badge);
    const template: MenuItemConstructorOptions[] = state.menu.map((item) =>
      item.type === 'separator'
        ? { type: 'separator' }
        : {
            type: item.type,
            label: item.label,
            enabled: item.enabled,
            ...(item.checked === undefined ? {} : { checked: item.checked }),
            click: item.id === '' ? undefined : () => this.#listener(item.id),
          },
    );
    this.#tray.setContextMenu(Menu.buildFromTemplate(template));
  }

  onCommand(listener: (id: string) => void): void {
    this.#listener = listener;
  }

  destroy(): void {
    this.#tray.destroy();
  }
}

export class ElectronNotifications implements NotificationPort {
  /** Notifications are kept referenced until closed: a garbage-collected one loses its click handler. */
  readonly #live = new Set<Notification>();

  show(request: NotificationRequest, onClick: () => void): void {
    if (!Notification.isSupported()) return;
    const notification = new Notification({
      title: request.title,
      body: request.body,
      urgency: request.urgency,
      icon: join(resourcesDir(), 'icon.png'),
    });
    this.#live.add(notification);
    notification.on('click', () => {
      this.#live.delete(notification);
      onClick();
    });
    notification.on('close', () => this.#live.delete(notification));
    notification.show();
  }
}

export const electronLoginItems: LoginItemsPort = {
  get: () => app.getLoginItemSettings().openAtLogin,
  // --hidden (Windows): start in the tray, without the window, as a login item should. macOS passes
  // no arguments to login items: there index.ts asks wasOpenedAtLogin().
  set: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] }),
};

/** macOS: this launch is the login item's. */
export const wasOpenedAtLogin = (): boolean => process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin;
