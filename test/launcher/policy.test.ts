import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { listAudit, verifyAudit } from '../../core/audit/audit-log.ts';
import { getServerPolicies, setServerPolicies } from '../../core/launcher/policy.ts';
import { registerServer } from '../../core/registry/register.ts';
import { setSetting } from '../../core/settings/settings.ts';
import { openStore, type Store } from '../../core/store/database.ts';
import { tempDir } from '../helpers/cli.ts';

function store(t: TestContext): Store {
  const s = openStore(tempDir(t));
  t.after(() => s.close());
  return s;
}

const register = (s: Store, name: string) => registerServer(s, { name, transport: 'stdio', command: process.execPath, args: ['x.js'] }, { cwd: process.cwd(), env: process.env });

test('a server follows the global settings until it has its own policy', (t) => {
  const s = store(t);
  const server = register(s, 'files');
  assert.deepEqual(getServerPolicies(s.db, server.id), { attestation: null, undeclared: null, effective: { attestation: 'warn', undeclared: 'warn' } });

  setSetting(s.db, 'undeclared-tool-policy', 'block');
  assert.deepEqual(getServerPolicies(s.db, server.id).effective, { attestation: 'warn', undeclared: 'block' });

  const own = setServerPolicies(s, 'files', { attestation: 'block', undeclared: 'warn' });
  assert.deepEqual(own, { attestation: 'block', undeclared: 'warn', effective: { attestation: 'block', undeclared: 'warn' } });
  // The per-server value wins over a global change.
  setSetting(s.db, 'attestation-policy', 'warn');
  assert.equal(getServerPolicies(s.db, server.id).effective.attestation, 'block');

  // null follows the global setting again; an absent field is left as it is.
  const back = setServerPolicies(s, server.id, { undeclared: null });
  assert.deepEqual(back, { attestation: 'block', undeclared: null, effective: { attestation: 'block', undeclared: 'block' } });
});

test('a change is audited once with before and after; a no-op writes nothing', (t) => {
  const s = store(t);
  const server = register(s, 'files');
  setServerPolicies(s, 'files', { attestation: 'block' });
  setServerPolicies(s, 'files', { attestation: 'block' });
  const events = listAudit(s.db, { type: 'server.policy_changed' });
  assert.equal(events.length, 1);
  assert.equal(events[0]?.server_id, server.id);
  assert.deepEqual(events[0]?.details.before, { attestation: null, undeclared: null });
  assert.deepEqual(events[0]?.details.after, { attestation: 'block', undeclared: null });
  assert.equal(verifyAudit(s.db).ok, true);
});

test('an unknown policy or server is refused naming the field, and changes nothing', (t) => {
  const s = store(t);
  const server = register(s, 'files');
  assert.throws(() => setServerPolicies(s, 'files', { attestation: 'allow' as never }), (e: Error & { field?: string }) => e.field === 'attestation' && /warn or block/.test(e.message));
  assert.throws(() => setServerPolicies(s, 'files', { undeclared: 1 as never }), (e: Error & { field?: string }) => e.field === 'undeclared');
  assert.throws(() => setServerPolicies(s, 'nope', { attestation: 'block' }), /No server named "nope"/);
  assert.throws(() => getServerPolicies(s.db, 'srv_missing'), /No server with id srv_missing/);
  assert.deepEqual(getServerPolicies(s.db, server.id), { attestation: null, undeclared: null, effective: { attestation: 'warn', undeclared: 'warn' } });
  assert.equal(listAudit(s.db, { type: 'server.policy_changed' }).length, 0);
});
