import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContentFinding } from '../../core/api/probe.ts';
import { formatTrust } from '../../core/trust/format.ts';
import {
  largestRemainder,
  resolvedAlertWeight,
  scoreTrust,
  severityRisk,
  TRUST_MODEL,
  trustBand,
  type AlertEvidence,
  type HygieneEvidence,
  type TrustFactorId,
  type TrustInputs,
  type TrustScore,
} from '../../core/trust/score.ts';

const NOW = '2025-06-01T12:00:00.000Z';
const PINNED = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const daysAgo = (days: number): string => new Date(Date.parse(NOW) - days * 86_400_000).toISOString();

const DISCOVERED = { kind: 'discovered', client: 'claude-desktop', config_path: '/home/u/.config/Claude/claude_desktop_config.json', key: 'github', pointer: '/mcpServers/github' } as const;

/** Every factor at its best: a hand-registered, attested, pinned, clean, watched server. */
function perfect(): TrustInputs {
  return {
    now: NOW,
    server: { id: 'srv_1', name: 'github', status: 'approved', source: { kind: 'manual' } },
    attestation: { status: 'valid', differences: [] },
    pin: { manifest_sha256: PINNED },
    probe: { manifest_sha256: PINNED, findings: [], changes: [] },
    hygiene: [],
    alerts: [],
    watched: true,
  };
}

const with_ = (patch: Partial<TrustInputs>): TrustInputs => ({ ...perfect(), ...patch });

const finding = (severity: ContentFinding['severity'], rule = 'hidden-instructions'): ContentFinding => ({ rule, severity, where: 'tool:read_file.description', match: '<IMPORTANT>', message: 'text aimed at the model' });
const unpinned: HygieneEvidence = { type: 'unpinned_package', severity: 'medium', location: 'args[1]', evidence: 'npx @modelcontextprotocol/server-github (no version)', source: { kind: 'alert', alert_id: 7 } };
const secret: HygieneEvidence = { type: 'plaintext_secret', severity: 'high', location: 'env.GITHUB_TOKEN', evidence: 'GitHub token (ghp_…, 40 characters)', source: { kind: 'alert', alert_id: 8 } };
const alert = (patch: Partial<AlertEvidence>): AlertEvidence => ({ id: 1, type: 'env_changed', severity: 'medium', state: 'open', title: 'an alert', resolved_at: null, ...patch });

const factor = (trust: TrustScore, id: TrustFactorId) => {
  const f = trust.factors.find((x) => x.factor === id);
  assert.ok(f, `factor ${id} is present`);
  return f;
};
const valueOf = (inputs: TrustInputs, id: TrustFactorId): number => factor(scoreTrust(inputs), id).value;
const points = (trust: TrustScore): Record<string, number> => Object.fromEntries(trust.factors.map((f) => [f.factor, f.contribution]));

// --- The worked examples of docs/trust-score.md ---------------------------------------------------

/** Example 1: discovered in Claude Desktop and approved, attested, pinned, one low finding, one unpinned package, a launch change resolved 40 days ago. */
function example1(): TrustInputs {
  return {
    ...perfect(),
    server: { id: 'srv_1', name: 'github', status: 'approved', source: DISCOVERED },
    probe: { manifest_sha256: PINNED, findings: [finding('low', 'imperative-to-model')], changes: [] },
    hygiene: [unpinned],
    alerts: [
      alert({ id: 7, type: 'unpinned_package', severity: 'medium', state: 'open' }),
      alert({ id: 3, type: 'launch_changed', severity: 'high', state: 'resolved', resolved_at: daysAgo(40) }),
    ],
  };
}

test('worked example 1 of docs/trust-score.md: 81, green, contributions by largest remainder', () => {
  const trust = scoreTrust(example1());
  assert.deepEqual(
    trust.factors.map((f) => [f.factor, f.value, f.effective_weight, f.contribution]),
    [
      ['attestation', 1, 25, 25],
      ['pin', 1, 20, 20],
      ['content', 0.75, 20, 15],
      ['provenance', 0.5, 15, 8],
      ['hygiene', 0.5, 10, 5],
      ['alerts', 0.8125, 10, 8],
    ],
  );
  assert.deepEqual([trust.score, trust.uncapped_score, trust.capped_by, trust.band, trust.excluded], [81, 81, null, 'green', []]);
  // The unpinned_package alert counts in hygiene only; the resolved launch change at 1/4.
  assert.deepEqual(factor(trust, 'alerts').evidence, ['#3 high launch_changed, resolved 2025-04-22 (risk 0.75 × 1/4): an alert']);
});

test('worked example 2: a changed pin and a critical poisoning finding cap the score at 39', () => {
  const inputs = example1();
  inputs.probe = { manifest_sha256: OTHER, findings: [finding('critical', 'exfiltration')], changes: ['changed tool create_issue: description'] };
  inputs.alerts.push(alert({ id: 9, type: 'poisoned_definition', severity: 'critical', state: 'open', title: '"github" has a suspicious definition' }));
  const trust = scoreTrust(inputs);
  assert.deepEqual(points(trust), { attestation: 25, pin: 0, content: 0, provenance: 8, hygiene: 5, alerts: 8 });
  assert.deepEqual([trust.uncapped_score, trust.score, trust.capped_by, trust.band], [46, 39, 'critical_alert', 'red']);
  assert.deepEqual(trust.caps, [{ cap: 'critical_alert', label: 'an unresolved critical alert names the server', limit: 39, evidence: ['#9 critical poisoned_definition, open: "github" has a suspicious definition'] }]);
  assert.deepEqual(factor(trust, 'pin').evidence, [`the latest successful probe shows manifest ${'b'.repeat(12)}…, not the pinned ${'a'.repeat(12)}…`, 'changed tool create_issue: description']);
});

test('worked example 3: a discovered, unprobed, unattested server with a plaintext secret: 21 of renormalised weights', () => {
  const trust = scoreTrust({
    now: NOW,
    server: { id: 'srv_2', name: 'github', status: 'discovered', source: DISCOVERED },
    attestation: null,
    pin: null,
    probe: null,
    hygiene: [secret],
    alerts: [alert({ id: 8, type: 'plaintext_secret', severity: 'high' }), alert({ id: 2, type: 'unapproved_server', severity: 'high' })],
    watched: true,
  });
  assert.deepEqual(trust.excluded.map((x) => x.factor), ['pin', 'content']);
  assert.deepEqual(
    trust.factors.map((f) => [f.factor, f.value, f.effective_weight, f.contribution]),
    [
      ['attestation', 0, 41.67, 0],
      ['provenance', 0, 25, 0],
      ['hygiene', 0.25, 16.67, 4],
      ['alerts', 1, 16.67, 17],
    ],
  );
  assert.deepEqual([trust.score, trust.capped_by, trust.band], [21, null, 'red']);

  // Approved, token moved to the keychain (its alert resolved): 27.5 / 60.
  const approved = scoreTrust({
    now: NOW,
    server: { id: 'srv_2', name: 'github', status: 'approved', source: DISCOVERED },
    attestation: null,
    pin: null,
    probe: null,
    hygiene: [],
    alerts: [],
    watched: true,
  });
  assert.deepEqual([approved.score, approved.band], [46, 'amber']);
  // Then a clean probe (pinned) and a valid attestation: 92.5 of 100.
  const established = scoreTrust({ ...perfect(), server: { id: 'srv_2', name: 'github', status: 'approved', source: DISCOVERED } });
  assert.deepEqual([established.score, established.band], [93, 'green']);
});

// --- Sums and rounding ----------------------------------------------------------------------------

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function randomInputs(r: () => number): TrustInputs {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const severities = ['low', 'medium', 'high', 'critical'] as const;
  const n = (max: number): number => Math.floor(r() * (max + 1));
  const probe = r() < 0.3 ? null : { manifest_sha256: r() < 0.7 ? PINNED : OTHER, findings: Array.from({ length: n(3) }, () => finding(pick(severities))), changes: [] };
  return {
    now: NOW,
    server: { id: 'srv', name: 's', status: pick(['approved', 'discovered'] as const), source: r() < 0.5 ? { kind: 'manual' } : DISCOVERED },
    attestation: pick([null, { status: 'valid', differences: [] }, { status: 'failed', differences: ['executable sha256'] }] as const),
    pin: r() < 0.3 ? null : { manifest_sha256: PINNED },
    probe,
    hygiene: Array.from({ length: n(3) }, (_, i) => ({ ...pick([unpinned, secret]), location: `args[${i}]` })),
    alerts: Array.from({ length: n(4) }, (_, i) =>
      alert({
        id: i + 1,
        type: pick(['env_changed', 'launch_changed', 'executable_changed', 'tool_collision', 'server_removed', 'plaintext_secret'] as const),
        severity: pick(['info', ...severities] as const),
        state: pick(['open', 'acknowledged', 'resolved'] as const),
        resolved_at: daysAgo(n(200)),
      }),
    ),
    watched: r() < 0.8,
  };
}

test('the contributions add up exactly to the score, each within 1 of its exact share, over 5,000 random states', () => {
  const r = rng(20250601);
  let capped = 0;
  let renormalised = 0;
  for (let i = 0; i < 5000; i++) {
    const inputs = randomInputs(r);
    const trust = scoreTrust(inputs);
    const sum = trust.factors.reduce((s, f) => s + f.contribution, 0);
    assert.equal(sum, trust.uncapped_score, `case ${i}: contributions sum to the uncapped score`);
    assert.ok(Number.isInteger(trust.score) && trust.score >= 0 && trust.score <= 100, `case ${i}: integer 0-100`);
    const totalWeight = trust.factors.reduce((s, f) => s + f.weight, 0);
    const exact = trust.factors.map((f) => (f.weight * f.value * 100) / totalWeight);
    assert.equal(trust.uncapped_score, Math.round(exact.reduce((a, b) => a + b, 0) + 1e-9), `case ${i}: the score is the rounded weighted mean`);
    trust.factors.forEach((f, j) => assert.ok(Math.abs(f.contribution - (exact[j] ?? 0)) < 1, `case ${i}: ${f.factor} within 1 point of its share`));
    if (trust.capped_by === null) assert.equal(trust.score, trust.uncapped_score, `case ${i}`);
    else {
      capped++;
      assert.ok(trust.score < trust.uncapped_score && trust.score === Math.min(...trust.caps.map((c) => c.limit)), `case ${i}: capped to the lowest cap`);
    }
    if (trust.excluded.length > 0) renormalised++;
    assert.equal(trust.band, trustBand(trust.score), `case ${i}`);
  }
  // The generator reaches the interesting cases.
  assert.ok(capped > 100 && renormalised > 1000, `capped ${capped}, renormalised ${renormalised}`);
});

test('largest remainder keeps the sum where rounding each factor alone would not', () => {
  // Attested, discovered not approved, never probed, clean: 41.667 + 0 + 16.667 + 16.667 = 75.
  const inputs = with_({ server: { id: 's', name: 's', status: 'discovered', source: DISCOVERED }, pin: null, probe: null });
  const trust = scoreTrust(inputs);
  assert.deepEqual(points(trust), { attestation: 42, provenance: 0, hygiene: 17, alerts: 16 });
  assert.equal(trust.score, 75);
  const naive = trust.factors.reduce((s, f) => s + Math.round((f.weight * f.value * 100) / 60), 0);
  assert.equal(naive, 76, 'rounding each share alone would overshoot');
  assert.deepEqual(largestRemainder([1 / 3, 1 / 3, 1 / 3]), [1, 0, 0]);
  assert.deepEqual(largestRemainder([0.3, 0.3, 0.3]), [1, 0, 0]);
  assert.deepEqual(largestRemainder([0.1, 0.1, 0.1]), [0, 0, 0]);
  assert.deepEqual(largestRemainder([33.5, 33.3, 33.2]), [34, 33, 33]);
  assert.deepEqual(largestRemainder([0.5, 0.5]), [1, 0]);
});

// --- Missing data ---------------------------------------------------------------------------------

test('a factor without data is left out and the others share its weight', () => {
  const neverProbed = scoreTrust(with_({ pin: null, probe: null }));
  assert.deepEqual(neverProbed.excluded.map((x) => [x.factor, x.weight, x.reason]), [
    ['pin', 20, 'never probed successfully: there are no definitions to pin and compare'],
    ['content', 20, 'never probed successfully: no definitions have been scanned'],
  ]);
  assert.deepEqual(neverProbed.factors.map((f) => [f.factor, f.effective_weight]), [['attestation', 41.67], ['provenance', 25], ['hygiene', 16.67], ['alerts', 16.67]]);
  assert.equal(neverProbed.score, 100, 'what is known is all good: no invented penalty for what is not');

  // Same state with an unpinned package: hygiene 0.5 of 16.67 points costs 8, not the 5 it would cost with every factor present.
  assert.equal(scoreTrust(with_({ pin: null, probe: null, hygiene: [unpinned] })).score, 92);
  assert.equal(scoreTrust(with_({ hygiene: [unpinned] })).score, 95);

  const unwatched = scoreTrust(with_({ watched: false, pin: null, probe: null }));
  assert.deepEqual(unwatched.excluded.map((x) => x.factor), ['pin', 'content', 'alerts']);
  assert.match(unwatched.excluded[2]?.reason ?? '', /nothing has watched this server yet/);

  // A discovered server probed with consent has no pin (pins follow approval) but its content is scanned.
  const discoveredProbed = scoreTrust(with_({ server: { id: 's', name: 's', status: 'discovered', source: DISCOVERED }, pin: null }));
  assert.deepEqual(discoveredProbed.excluded.map((x) => [x.factor, x.reason]), [['pin', 'not pinned: a server is pinned by its first successful probe once approved, and this one is not approved']]);
  assert.ok(discoveredProbed.factors.some((f) => f.factor === 'content'));
});

test('no attestation is a measured 0, not missing data', () => {
  const trust = scoreTrust(with_({ attestation: null }));
  assert.deepEqual([factor(trust, 'attestation').value, factor(trust, 'attestation').contribution, trust.score], [0, 0, 75]);
  assert.deepEqual(trust.excluded, []);
});

// --- Caps -----------------------------------------------------------------------------------------

test('a failed attestation caps the score at 39 and names the cap; a valid one does not', () => {
  const failed = scoreTrust(with_({ attestation: { status: 'failed', differences: ['executable sha256: 1f2e… → 9a8b…'] } }));
  assert.deepEqual([failed.uncapped_score, failed.score, failed.capped_by, failed.band], [75, 39, 'attestation_failed', 'red']);
  assert.deepEqual(failed.caps[0]?.evidence, ['the latest attestation failed re-verification', 'differs: executable sha256: 1f2e… → 9a8b…']);
  assert.deepEqual(factor(failed, 'attestation').evidence.slice(1), ['differs: executable sha256: 1f2e… → 9a8b…']);
  const valid = scoreTrust(perfect());
  assert.deepEqual([valid.score, valid.capped_by, valid.caps], [100, null, []]);
});

test('an open or acknowledged critical alert caps the score; a resolved one or a high one does not', () => {
  const critical = (state: AlertEvidence['state']) => scoreTrust(with_({ alerts: [alert({ id: 4, type: 'poisoned_definition', severity: 'critical', state, resolved_at: state === 'resolved' ? daysAgo(1) : null })] }));
  assert.deepEqual([critical('open').score, critical('open').capped_by], [39, 'critical_alert']);
  assert.deepEqual([critical('acknowledged').score, critical('acknowledged').capped_by], [39, 'critical_alert']);
  assert.deepEqual([critical('resolved').score, critical('resolved').capped_by, critical('resolved').caps], [100, null, []]);
  const high = scoreTrust(with_({ alerts: [alert({ type: 'poisoned_definition', severity: 'high' })] }));
  assert.deepEqual([high.score, high.capped_by], [100, null]);
});

test('a cap that does not lower the score is listed but capped_by stays null', () => {
  const trust = scoreTrust({
    ...with_({ attestation: { status: 'failed', differences: [] } }),
    server: { id: 's', name: 's', status: 'discovered', source: DISCOVERED },
    pin: null,
    probe: null,
    hygiene: [secret],
  });
  assert.equal(trust.uncapped_score, 21);
  assert.deepEqual([trust.score, trust.capped_by, trust.caps.map((c) => c.cap)], [21, null, ['attestation_failed']]);
});

test('both caps: the lower limit wins, the first in the table on a tie', () => {
  const trust = scoreTrust(with_({ attestation: { status: 'failed', differences: [] }, alerts: [alert({ severity: 'critical', type: 'executable_changed' })] }));
  assert.deepEqual([trust.score, trust.capped_by, trust.caps.map((c) => c.cap)], [39, 'attestation_failed', ['attestation_failed', 'critical_alert']]);
});

// --- Ordering and evidence ------------------------------------------------------------------------

test('an unattested discovered server with a plaintext secret scores far below an attested approved one', () => {
  const risky = scoreTrust({ ...with_({ attestation: null, hygiene: [secret] }), server: { id: 's', name: 's', status: 'discovered', source: DISCOVERED }, pin: null, probe: null });
  const sound = scoreTrust(with_({ server: { id: 's', name: 's', status: 'approved', source: DISCOVERED } }));
  assert.ok(risky.score < sound.score - 40, `${risky.score} vs ${sound.score}`);
  assert.deepEqual([risky.band, sound.band], ['red', 'green']);
});

test('every factor moves with its evidence, and the score with it', () => {
  const cases: { factor: TrustFactorId; states: [string, TrustInputs, number][] }[] = [
    {
      factor: 'attestation',
      states: [
        ['valid', perfect(), 1],
        ['never attested', with_({ attestation: null }), 0],
        ['failed', with_({ attestation: { status: 'failed', differences: [] } }), 0],
      ],
    },
    {
      factor: 'pin',
      states: [
        ['matches', perfect(), 1],
        ['changed', with_({ probe: { manifest_sha256: OTHER, findings: [], changes: ['added tool x'] } }), 0],
      ],
    },
    {
      factor: 'content',
      states: [
        ['clean', perfect(), 1],
        ['one low', with_({ probe: { manifest_sha256: PINNED, findings: [finding('low')], changes: [] } }), 0.75],
        ['low and medium', with_({ probe: { manifest_sha256: PINNED, findings: [finding('low'), finding('medium')], changes: [] } }), 0.375],
        ['one high', with_({ probe: { manifest_sha256: PINNED, findings: [finding('high')], changes: [] } }), 0.25],
        ['one critical', with_({ probe: { manifest_sha256: PINNED, findings: [finding('critical')], changes: [] } }), 0],
      ],
    },
    {
      factor: 'provenance',
      states: [
        ['registered by hand', perfect(), 1],
        ['discovered, approved', with_({ server: { id: 's', name: 's', status: 'approved', source: DISCOVERED } }), 0.5],
        ['discovered only', with_({ server: { id: 's', name: 's', status: 'discovered', source: DISCOVERED }, pin: null }), 0],
      ],
    },
    {
      factor: 'hygiene',
      states: [
        ['clean', perfect(), 1],
        ['unpinned package', with_({ hygiene: [unpinned] }), 0.5],
        ['plaintext secret', with_({ hygiene: [secret] }), 0.25],
        ['both', with_({ hygiene: [unpinned, secret] }), 0.125],
      ],
    },
    {
      factor: 'alerts',
      states: [
        ['none', perfect(), 1],
        ['resolved 200 days ago', with_({ alerts: [alert({ state: 'resolved', resolved_at: daysAgo(200) })] }), 1],
        ['resolved 40 days ago', with_({ alerts: [alert({ state: 'resolved', resolved_at: daysAgo(40) })] }), 0.875],
        ['resolved 10 days ago', with_({ alerts: [alert({ state: 'resolved', resolved_at: daysAgo(10) })] }), 0.75],
        ['acknowledged', with_({ alerts: [alert({ state: 'acknowledged' })] }), 0.5],
        ['open medium and open low', with_({ alerts: [alert({}), alert({ id: 2, type: 'server_removed', severity: 'low' })] }), 0.375],
      ],
    },
  ];
  for (const c of cases) {
    let previousScore = Infinity;
    for (const [name, inputs, expected] of c.states) {
      const trust = scoreTrust(inputs);
      assert.equal(factor(trust, c.factor).value, expected, `${c.factor}: ${name}`);
      assert.ok(factor(trust, c.factor).evidence.length > 0, `${c.factor}: ${name} has evidence`);
      // States are listed best first: the score never rises as the evidence worsens (provenance also drops the pin when not approved).
      assert.ok(trust.uncapped_score <= previousScore, `${c.factor}: ${name}: ${trust.uncapped_score} after ${previousScore}`);
      if (expected < 1) assert.ok(trust.uncapped_score < 100, `${c.factor}: ${name} costs points`);
      previousScore = trust.uncapped_score;
    }
  }
});

test('alerts another factor measures do not count twice in alert history', () => {
  const owned = with_({
    alerts: [
      alert({ id: 1, type: 'plaintext_secret', severity: 'high' }),
      alert({ id: 2, type: 'definition_changed', severity: 'high' }),
      alert({ id: 3, type: 'attestation_failed', severity: 'high' }),
      alert({ id: 4, type: 'poisoned_definition', severity: 'high' }),
      alert({ id: 5, type: 'unapproved_server', severity: 'high' }),
    ],
  });
  assert.equal(valueOf(owned, 'alerts'), 1);
  assert.equal(valueOf(with_({ alerts: [alert({ id: 6, type: 'executable_changed', severity: 'high' })] }), 'alerts'), 0.25);
  assert.equal(valueOf(with_({ alerts: [alert({ id: 6, type: 'servers_to_review', severity: 'info' })] }), 'alerts'), 1);
});

test('severity risks and the ageing of resolved alerts follow their rules', () => {
  assert.deepEqual((['info', 'low', 'medium', 'high', 'critical'] as const).map(severityRisk), [0, 0.25, 0.5, 0.75, 1]);
  const w = (days: number): number => resolvedAlertWeight(daysAgo(days), NOW);
  assert.deepEqual([0, 29.9, 30, 59, 60, 90, 120, 150, 179.9, 180, 400].map(w), [1 / 2, 1 / 2, 1 / 4, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 64, 0, 0]);
  assert.equal(w(-3), 1 / 2, 'a resolution stamped in the future counts as today');
});

test('the model: weights add up to 100, bands cover 0-100, caps land in red', () => {
  assert.equal(TRUST_MODEL.factors.reduce((s, f) => s + f.weight, 0), 100);
  assert.deepEqual(TRUST_MODEL.factors.map((f) => f.id), ['attestation', 'pin', 'content', 'provenance', 'hygiene', 'alerts']);
  let next = 0;
  for (const b of TRUST_MODEL.bands) {
    assert.equal(b.min, next);
    next = b.max + 1;
  }
  assert.equal(next, 101);
  for (const cap of TRUST_MODEL.caps) assert.equal(trustBand(cap.limit), 'red');
  assert.deepEqual([0, 39, 40, 74, 75, 100].map((s) => trustBand(s)), ['red', 'red', 'amber', 'amber', 'green', 'green']);
  // Green needs more than every check but attestation can give: 100 - 25.
  assert.equal(TRUST_MODEL.bands.find((b) => b.band === 'green')?.min, 100 - (TRUST_MODEL.factors.find((f) => f.id === 'attestation')?.weight ?? 0));
});

test('the score is a pure function of its inputs', () => {
  const inputs = example1();
  const copy = structuredClone(inputs);
  const a = scoreTrust(inputs);
  const b = scoreTrust(inputs);
  assert.deepEqual(inputs, copy, 'inputs are not changed');
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  const later = scoreTrust({ ...inputs, now: new Date(Date.parse(NOW) + 25 * 86_400_000).toISOString() });
  assert.equal(factor(later, 'alerts').value, 0.90625, 'the resolved alert ages into its next half-life (1 - 0.75/8)');
});

test('the text form shows the score, the cap, each factor with its evidence and what was not scored', () => {
  const inputs = example1();
  inputs.pin = null;
  inputs.alerts.push(alert({ id: 9, type: 'tool_collision', severity: 'critical' }));
  const text = formatTrust('github', scoreTrust(inputs));
  const lines = text.split('\n');
  assert.equal(lines[0], 'github: trust 39/100 (red)');
  assert.match(lines[1] ?? '', /^Capped at 39 because an unresolved critical alert names the server; the factors alone give \d+\.$/);
  assert.match(text, /\nContent findings\s+0\.75\s+25\.0\s+19\n\s+- low imperative-to-model in tool:read_file\.description/);
  assert.match(text, /\n- Manifest pin intact \(weight 20\): no pin is recorded\n/);
});
