/**
 * Tools, prompts and resources: each entry with the sha256 it is pinned at; after drift, the
 * side-by-side diff between the pin and the last probe.
 */
import type { ToolsResponse } from '../../../../core/api/client.ts';
import type { EntryKind } from '../../../../core/api/pin.ts';
import type { Definition } from '../../../../core/api/probe.ts';
import { DiffView, Empty, rowsFromPinDiff } from '../../components/index.ts';

interface Row {
  kind: EntryKind;
  key: string;
  sha256: string | null;
  description: string;
  state: 'pinned' | 'new' | 'removed';
}

const KIND: Record<EntryKind, string> = { tool: 'tool', prompt: 'prompt', resource: 'resource', resource_template: 'resource template' };

/** The key core pins an entry under: a tool's or prompt's name, a resource's URI, a template's URI template. */
const keyOf = (kind: EntryKind, d: Definition): string => (kind === 'resource' ? d.uri : kind === 'resource_template' ? d.uriTemplate : d.name) ?? d.name ?? '';
const describe = (d: Definition): string => (typeof d.description === 'string' ? d.description : typeof d.title === 'string' ? d.title : '');

function rows(tools: ToolsResponse): Row[] {
  const out: Row[] = [];
  const seen = new Set<string>();
  for (const e of tools.pin?.entries ?? []) {
    seen.add(`${e.kind}:${e.key}`);
    out.push({ kind: e.kind, key: e.key, sha256: e.sha256, description: describe(e.definition), state: 'pinned' });
  }
  const probe = tools.last_probe;
  if (probe !== null) {
    const lists: [EntryKind, Definition[]][] = [
      ['tool', probe.tools],
      ['prompt', probe.prompts],
      ['resource', probe.resources],
      ['resource_template', probe.resource_templates],
    ];
    for (const [kind, defs] of lists) {
      for (const d of defs) {
        if (!seen.has(`${kind}:${keyOf(kind, d)}`)) out.push({ kind, key: keyOf(kind, d), sha256: null, description: describe(d), state: 'new' });
      }
    }
    for (const r of probe.diff?.removed ?? []) {
      const row = out.find((x) => x.kind === r.kind && x.key === r.key);
      if (row) row.state = 'removed';
    }
  }
  return out;
}

export function Entries(props: { tools: ToolsResponse }) {
  const { tools } = props;
  const list = rows(tools);
  const diff = tools.last_probe?.diff ?? null;
  if (tools.pin === null && tools.last_probe === null) {
    return <Empty title="Never probed: nothing is pinned yet.">Probe the server to record its tools, prompts and resources and pin their hashes.</Empty>;
  }
  return (
    <>
      {tools.pin !== null && (
        <p className="muted">
          Manifest pin <code className="mono">{tools.pin.manifest_sha256}</code>
          {tools.pin.server.name !== '' && ` · reported as ${tools.pin.server.name} ${tools.pin.server.version}`}
        </p>
      )}
      {list.length === 0 ? (
        <p className="muted">The server exposes no tools, prompts or resources.</p>
      ) : (
        <table className="table entries">
          <caption className="visually-hidden">Tools, prompts and resources with their pinned hashes</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Name</th>
              <th scope="col">Pinned sha256</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={`${r.kind}:${r.key}`}>
                <td>{KIND[r.kind]}</td>
                <th scope="row" className="mono">
                  {r.key}
                </th>
                <td className="mono sha">
                  {r.sha256 ?? <span className="muted">not pinned</span>}
                  {r.state === 'new' && <span className="pill bad"> new since the pin</span>}
                  {r.state === 'removed' && <span className="pill bad"> gone in the last probe</span>}
                </td>
                <td>{r.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {diff !== null && rowsFromPinDiff(diff).length > 0 && (
        <>
          <h3>Drift since the pin</h3>
          <DiffView caption="Pinned definition against the last probe" rows={rowsFromPinDiff(diff)} />
        </>
      )}
    </>
  );
}
