/**
 * R2's screens (Register, Audit, Clients, Settings), picked up by file name at build time. Until a
 * file exists its route shows a placeholder; once it lands, the real screen is used with no change
 * here. Eager, so no extra chunk is loaded over file://.
 */
import type { ComponentType } from 'react';
import type { WardenClient } from '../../../core/api/client.ts';

export type ScreenProps = { client: WardenClient };
type ScreenModule = Record<string, ComponentType<ScreenProps> | undefined>;

const modules = import.meta.glob<ScreenModule>(['./Register.tsx', './Audit.tsx', './Clients.tsx', './Settings.tsx'], { eager: true });

function placeholder(title: string): ComponentType<ScreenProps> {
  return function Pending() {
    return (
      <>
        <h1 className="screen-title">{title}</h1>
        <section className="state state-empty">
          <p className="state-title">This screen is not built yet.</p>
        </section>
      </>
    );
  };
}

function pick(file: string, name: string, title: string): ComponentType<ScreenProps> {
  return modules[file]?.[name] ?? placeholder(title);
}

export const RegisterScreen = pick('./Register.tsx', 'RegisterScreen', 'Register a server');
export const AuditScreen = pick('./Audit.tsx', 'AuditScreen', 'Audit trail');
export const ClientsScreen = pick('./Clients.tsx', 'ClientsScreen', 'Clients');
export const SettingsScreen = pick('./Settings.tsx', 'SettingsScreen', 'Settings');
