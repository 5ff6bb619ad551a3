/** Words for the settings the API offers: labels, hints and choice texts; unknown ones are spelled out from their keys. */

const LABELS: Record<string, { label: string; hint?: string }> = {
  'new-server-policy': { label: 'New-server policy', hint: 'What happens when a server appears in a client config.' },
  'probe-concurrency': { label: 'Probe concurrency', hint: 'How many servers "probe all" starts at once.' },
  'probe-consent': { label: 'Probe consent', hint: 'Probing starts the server: whether a server found in a client config, never approved, needs your yes first.' },
  'attestation-policy': { label: 'Attestation policy', hint: 'When a server no longer matches its attestation at launch: start it and alert, or do not start it.' },
  'undeclared-tool-policy': { label: 'Undeclared-tool policy', hint: 'When a client calls a tool the server neither pinned nor declared: pass it and alert, or refuse the call.' },
  notifications: { label: 'Notifications', hint: 'Which new alerts the desktop app shows as notifications.' },
  'start-at-login': { label: 'Start at login', hint: 'Start MCP Warden (in the tray) when you log in.' },
};

const CHOICES: Record<string, Record<string, string>> = {
  'new-server-policy': { register: 'Register it as discovered, to review', alert: 'Only raise an alert' },
  'probe-consent': { ask: 'Ask before starting a server nobody approved', allow: 'Start discovered servers without asking' },
  'attestation-policy': { warn: 'Warn: start it and raise a high alert', block: 'Block: do not start it' },
  'undeclared-tool-policy': { warn: 'Warn: pass the call and raise a high alert', block: 'Block: answer the call with an error' },
  notifications: { high: 'High and critical alerts', critical: 'Critical alerts only', off: 'Off' },
  'start-at-login': { on: 'On', off: 'Off', true: 'On', false: 'Off' },
};

/** The order settings are shown in; others follow alphabetically. */
export const SETTING_ORDER = Object.keys(LABELS);

export function settingLabel(key: string): string {
  const known = LABELS[key];
  if (known !== undefined) return known.label;
  const words = key.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const settingHint = (key: string): string | undefined => LABELS[key]?.hint;

export function choiceLabel(key: string, value: string): string {
  const known = CHOICES[key]?.[value];
  if (known !== undefined) return known;
  if (value === 'on' || value === 'true') return 'On';
  if (value === 'off' || value === 'false') return 'Off';
  return value.charAt(0).toUpperCase() + value.slice(1);
}

export function orderedKeys(keys: readonly string[]): string[] {
  const rank = (k: string): number => {
    const i = SETTING_ORDER.indexOf(k);
    return i === -1 ? SETTING_ORDER.length : i;
  };
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
