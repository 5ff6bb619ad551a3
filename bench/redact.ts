// Cost of the Redactor (core/process/secret-redactor.ts) on the launcher's hot path: `deep()` of a
// typical tool-call argument object, with three secrets of the usual kinds (a GitHub token, an API
// key, a short password), beside `JSON.stringify` of the same object in the same run as the
// baseline (the launcher serialises every recorded call anyway). Also: the same object with a
// 20-character prefix of the token in it (a hit), and building the Redactor (once per launch).
// Run: node bench/redact.ts [iterations]
import { Redactor } from '../core/process/environment.ts';
import { machine, median, round } from './lib/stats.ts';

const ITERATIONS = Number(process.argv[2] ?? 20_000);
const ROUNDS = 5;
const TOKEN = 'ghp_R8kW2mXq7Lp4Zt9Yb3Nc6Vd1Hs5Jf0Ga8UeT';
const secrets = new Map([
  ['github-token', TOKEN],
  ['openai-key', 'sk-proj-4fJ9kL2mN8pQ1rS6tU3vW7xY0zA5bC'],
  ['db-password', 'hunter2-2025'],
]);

const args = {
  path: '/home/dev/projects/webapp/src/components/UserProfile.tsx',
  query: 'function handleSubmit',
  options: { recursive: true, maxResults: 50, include: ['*.ts', '*.tsx'], exclude: ['node_modules', 'dist'] },
  content: 'export function UserProfile({ user }: Props) {\n  const [editing, setEditing] = useState(false);\n  return <section className="profile">{user.name}</section>;\n}\n'.repeat(3),
  message: 'Refactor the profile form to use the shared validation helpers',
};
const hit = { ...args, query: `lookup ${TOKEN.slice(0, 20)}` };

/** Median over rounds of the mean time of one call, in ns. */
function nsPer(fn: () => unknown, iterations = ITERATIONS): number {
  for (let i = 0; i < Math.min(2000, iterations); i++) fn();
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    samples.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  return median(samples);
}

const redactor = new Redactor(secrets);
if (JSON.stringify(redactor.deep(hit)).includes(TOKEN.slice(0, 20))) throw new Error('The prefix was not redacted.');
const stringify = nsPer(() => JSON.stringify(args));
const deep = nsPer(() => redactor.deep(args));
const deepHit = nsPer(() => redactor.deep(hit));
const build = nsPer(() => new Redactor(secrets), 200);

process.stdout.write(`${JSON.stringify({
  machine: machine(),
  iterations: ITERATIONS,
  argument_json_bytes: JSON.stringify(args).length,
  secrets: secrets.size,
  baseline_json_stringify_ns: round(stringify, 0),
  redact_deep_ns: round(deep, 0),
  redact_deep_with_hit_ns: round(deepHit, 0),
  ratio_to_stringify: round(deep / stringify, 2),
  build_redactor_us: round(build / 1000, 1),
})}\n`);
