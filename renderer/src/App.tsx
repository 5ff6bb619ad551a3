import { useEffect, useState } from 'react';
import type { AppInfo } from '../../electron/shared/ipc';
import { loadAppInfo } from './bridge';

const SCREENS = [
  { id: 'registry', label: 'Registry', hint: 'Servers you registered or approved' },
  { id: 'alerts', label: 'Alerts', hint: 'Drift and integrity alerts' },
  { id: 'audit', label: 'Audit', hint: 'Hash-chained history of every change' },
  { id: 'clients', label: 'Clients', hint: 'AI clients and their config files' },
  { id: 'settings', label: 'Settings', hint: 'Data directory, keychain, notifications' },
] as const;

type ScreenId = (typeof SCREENS)[number]['id'];

export function App() {
  const [screen, setScreen] = useState<ScreenId>('registry');
  const [appInfo, setAppInfo] = useState<AppInfo | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    void loadAppInfo().then((info) => {
      if (!cancelled) setAppInfo(info);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  const current = SCREENS.find((s) => s.id === screen) ?? SCREENS[0];

  return (
    <div className="shell">
      <header className="app-header">
        <ShieldMark />
        <span className="app-title">MCP Warden</span>
        <span className="app-tagline">Know which MCP servers your AI clients can start</span>
      </header>

      <nav className="app-nav" aria-label="Screens">
        <ul>
          {SCREENS.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                className="nav-item"
                aria-current={s.id === screen ? 'page' : undefined}
                title={s.hint}
                onClick={() => setScreen(s.id)}
              >
                {s.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>

      <main className="app-main">
        <h1 className="screen-title">{current.label}</h1>
        {screen === 'registry' ? <RegistryEmpty /> : <NotYet label={current.label} />}
      </main>

      <footer className="app-footer">
        {appInfo ? (
          <span>
            {appInfo.name} {appInfo.version} · {appInfo.platform}
          </span>
        ) : (
          <span>MCP Warden</span>
        )}
      </footer>
    </div>
  );
}

function RegistryEmpty() {
  return (
    <section className="empty-state" aria-labelledby="registry-empty-title">
      <h2 id="registry-empty-title">No servers registered yet</h2>
      <p>Register an MCP server from the command line:</p>
      <pre className="command">
        <code>mcp-warden mcp add &lt;name&gt; stdio --command &lt;program&gt; --args &lt;arg1,arg2&gt;</code>
      </pre>
      <p className="muted">
        Run <code>mcp-warden mcp add --help</code> for every option.
      </p>
    </section>
  );
}

function NotYet({ label }: { label: string }) {
  return (
    <section className="empty-state">
      <h2>{label} is coming</h2>
      <p className="muted">This screen is not built yet.</p>
    </section>
  );
}

function ShieldMark() {
  return (
    <svg className="app-mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M12 2 4 5v6c0 5.2 3.4 9.7 8 11 4.6-1.3 8-5.8 8-11V5l-8-3Z" />
      <path className="app-mark-check" d="m8.5 12 2.5 2.5 4.5-5" />
    </svg>
  );
}
