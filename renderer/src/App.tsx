/**
 * The shell: header, main navigation (with the live open-alert count), the hash router and the
 * web-mode sign-in page. The one live subscription is opened here (<LiveProvider>) and every screen
 * refetches from it.
 */
import { useEffect, useRef, useState, type ComponentType } from 'react';
import { WardenClientError, type WardenClient } from '../../core/api/client.ts';
import type { AppInfo } from '../../electron/shared/ipc.ts';
import { loadAppInfo } from './bridge.ts';
import { ClientProvider, LiveProvider, navigate, useAsync, useLiveConnected, useLiveRefetch, useRoute, type Route } from './state/index.ts';
import { AlertsScreen } from './screens/Alerts.tsx';
import { RegistryScreen } from './screens/Registry.tsx';
import { ServerDetailScreen } from './screens/ServerDetail.tsx';
import { AuditScreen } from './screens/Audit.tsx';
import { ClientsScreen } from './screens/Clients.tsx';
import { RegisterScreen } from './screens/Register.tsx';
import { SettingsScreen } from './screens/Settings.tsx';

type NavId = 'registry' | 'alerts' | 'audit' | 'clients' | 'settings' | 'register';

const NAV: { id: NavId; label: string; path: string }[] = [
  { id: 'registry', label: 'Registry', path: '/' },
  { id: 'alerts', label: 'Alerts', path: '/alerts' },
  { id: 'audit', label: 'Audit', path: '/audit' },
  { id: 'clients', label: 'Clients', path: '/clients' },
  { id: 'settings', label: 'Settings', path: '/settings' },
];

export function App(props: { client: WardenClient }) {
  return (
    <ClientProvider client={props.client}>
      <LiveProvider client={props.client}>
        <Shell client={props.client} />
      </LiveProvider>
    </ClientProvider>
  );
}

const isUnauthorized = (e: unknown): boolean => e instanceof WardenClientError && e.status === 401;

function Shell(props: { client: WardenClient }) {
  const { client } = props;
  const route = useRoute();
  const openAlerts = useAsync(() => client.listAlerts({ state: 'open', limit: 1 }).then((p) => p.total), [client]);
  useLiveRefetch(openAlerts.reload);
  const appInfo = useAppInfo();
  const mainRef = useRef<HTMLElement>(null);

  // The desktop shell asks for a route after a notification or tray click.
  useEffect(() => window.warden?.onNavigate?.((to) => navigate(to.replace(/^#/, ''))), []);

  // A new screen moves focus to <main>, so keyboard and screen-reader users start at its heading.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: true });
  }, [route.path]);

  if (isUnauthorized(openAlerts.error)) return <SignInPage problem={(openAlerts.error as WardenClientError).message} />;

  const count = openAlerts.data ?? 0;
  const active = activeNav(route);
  const Screen = screenFor(route);

  return (
    <div className="shell">
      <button type="button" className="skip-link" onClick={() => mainRef.current?.focus()}>
        Skip to content
      </button>
      <header className="app-header">
        <ShieldMark />
        <span className="app-title">MCP Warden</span>
        <span className="app-tagline">Know which MCP servers your AI clients can start</span>
        <LiveStatus appInfo={appInfo} />
      </header>

      <nav className="app-nav" aria-label="Main">
        <ul>
          {NAV.map((item) => (
            <li key={item.id}>
              <a
                className="nav-item"
                href={`#${item.path}`}
                aria-current={active === item.id ? 'page' : undefined}
                aria-label={item.id === 'alerts' ? `Alerts, ${count} open` : undefined}
              >
                {item.label}
                {/* The space keeps the visible text "Alerts 3" inside the name "Alerts, 3 open" (axe label-content-name-mismatch). */}
                {item.id === 'alerts' && ' '}
                {item.id === 'alerts' && (
                  <span data-testid="open-alert-count" className={`nav-badge${count === 0 ? ' is-zero' : ''}`} aria-hidden="true">
                    {count}
                  </span>
                )}
              </a>
            </li>
          ))}
          <li>
            <a className="nav-item nav-register" href="#/register" aria-current={active === 'register' ? 'page' : undefined}>
              Register server
            </a>
          </li>
        </ul>
      </nav>

      <main id="main" className="app-main" ref={mainRef} tabIndex={-1}>
        <Screen.component client={client} {...Screen.props} key={Screen.key} />
      </main>

      <footer className="app-footer">
        {appInfo ? `${appInfo.name} ${appInfo.version} · ${appInfo.platform}` : 'MCP Warden'}
        {appInfo?.monitorMessage !== undefined && <span> · {appInfo.monitorMessage}</span>}
      </footer>
    </div>
  );
}

function activeNav(route: Route): NavId | null {
  const first = route.segments[0];
  if (first === undefined || first === 'servers') return 'registry';
  if (first === 'alerts' || first === 'audit' || first === 'clients' || first === 'settings' || first === 'register') return first;
  return null;
}

interface ScreenChoice {
  component: ComponentType<{ client: WardenClient } & Record<string, unknown>>;
  props: Record<string, unknown>;
  key: string;
}

function screenFor(route: Route): ScreenChoice {
  const [first, second] = route.segments;
  const choose = <P,>(component: ComponentType<{ client: WardenClient } & P>, props: P, key: string): ScreenChoice => ({
    component: component as ScreenChoice['component'],
    props: props as Record<string, unknown>,
    key,
  });
  switch (first) {
    case undefined:
      return choose(RegistryScreen, {}, 'registry');
    case 'servers':
      return second === undefined ? choose(RegistryScreen, {}, 'registry') : choose(ServerDetailScreen, { id: second }, `server:${second}`);
    case 'alerts':
      return choose(AlertsScreen, { focusId: second === undefined ? null : Number(second) }, 'alerts');
    case 'register':
      return choose(RegisterScreen, {}, 'register');
    case 'audit':
      return choose(AuditScreen, {}, 'audit');
    case 'clients':
      return choose(ClientsScreen, {}, 'clients');
    case 'settings':
      return choose(SettingsScreen, {}, 'settings');
    default:
      return choose(NotFound, {}, 'not-found');
  }
}

function NotFound() {
  return (
    <>
      <h1 className="screen-title">Page not found</h1>
      <p>
        There is no screen at this address. <a href="#/">Go to the registry</a>.
      </p>
    </>
  );
}

/** Web mode without a session cookie (or with an expired one). */
/** `problem`: the API's sentence (a used or expired login link says so). Each tab signs in with a link of its own. */
function SignInPage(props: { problem: string }) {
  return (
    <main className="full-page">
      <h1 className="screen-title">MCP Warden</h1>
      <div role="alert">
        <p>Not signed in: open the login link that `mcp-warden serve` printed.</p>
        <p>{props.problem}</p>
      </div>
    </main>
  );
}

function LiveStatus(props: { appInfo: AppInfo | undefined }) {
  const connected = useLiveConnected();
  const paused = props.appInfo?.monitoring === false;
  return (
    <span className="live-status">
      <span className={`live-dot${connected && !paused ? ' on' : ''}`} aria-hidden="true" />
      {paused ? 'Monitoring paused' : connected ? 'Live' : 'Reconnecting…'}
    </span>
  );
}

function useAppInfo(): AppInfo | undefined {
  const [info, setInfo] = useState<AppInfo | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    void loadAppInfo().then((i) => {
      if (!cancelled) setInfo(i);
    });
    return () => {
      cancelled = true;
    };
  }, []);
  return info;
}

function ShieldMark() {
  return (
    <svg className="app-mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M12 2 4 5v6c0 5.2 3.4 9.7 8 11 4.6-1.3 8-5.8 8-11V5l-8-3Z" />
      <path className="app-mark-check" d="m8.5 12 2.5 2.5 4.5-5" />
    </svg>
  );
}
