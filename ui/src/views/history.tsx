// History: changes to stored objects (with each change's diff) and the decision log, newest first, filtered.
import { useState } from 'preact/hooks';
import type { ChangeRecord } from '@warden/sdk';
import type { ViewProps } from '../app.tsx';
import { Field, href, Loading, Page, Problem } from '../parts.tsx';
import { take, useLoad, useSession } from '../session.ts';

const shown = 25;

/** A line diff of two JSON documents (longest common subsequence of lines). */
export function lineDiff(a: unknown, b: unknown): { op: ' ' | '-' | '+'; line: string }[] {
  const x = a === undefined ? [] : JSON.stringify(a, null, 2).split('\n');
  const y = b === undefined ? [] : JSON.stringify(b, null, 2).split('\n');
  const n = x.length, m = y.length;
  const l: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) l[i][j] = x[i] === y[j] ? l[i + 1][j + 1] + 1 : Math.max(l[i + 1][j], l[i][j + 1]);
  const out: { op: ' ' | '-' | '+'; line: string }[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) { out.push({ op: ' ', line: x[i] }); i++; j++; }
    else if (j < m && (i === n || l[i][j + 1] >= l[i + 1][j])) out.push({ op: '+', line: y[j++] });
    else out.push({ op: '-', line: x[i++] });
  }
  return out;
}

export function HistoryView({ query }: ViewProps) {
  const { navigate } = useSession();
  const keys = ['kind', 'cnamespace', 'cname', 'actor', 'user', 'verb', 'resource', 'namespace', 'allowed'] as const;
  const initial = Object.fromEntries(keys.map((k) => [k, query.get(k) ?? ''])) as Record<(typeof keys)[number], string>;
  const [f, setF] = useState(initial);
  const go = (e: Event) => { e.preventDefault(); navigate(href('history', f)); };
  return (
    <Page title="History" intro="Who changed what, with a diff of each change; and which questions were decided how.">
      <h2>Changes</h2>
      <form class="grid" onSubmit={go} aria-label="Change filters">
        <Field label="Kind" value={f.kind} onInput={(v) => setF({ ...f, kind: v })} placeholder="RoleBinding" />
        <Field label="Object namespace" value={f.cnamespace} onInput={(v) => setF({ ...f, cnamespace: v })} />
        <Field label="Object name" value={f.cname} onInput={(v) => setF({ ...f, cname: v })} />
        <Field label="Actor" value={f.actor} onInput={(v) => setF({ ...f, actor: v })} />
        <div class="actions"><button type="submit">Filter changes</button></div>
      </form>
      <Changes kind={initial.kind} namespace={initial.cnamespace} name={initial.cname} actor={initial.actor} />
      <h2>Decisions</h2>
      <form class="grid" onSubmit={go} aria-label="Decision filters">
        <Field label="User" value={f.user} onInput={(v) => setF({ ...f, user: v })} />
        <Field label="Verb" value={f.verb} onInput={(v) => setF({ ...f, verb: v })} />
        <Field label="Resource" value={f.resource} onInput={(v) => setF({ ...f, resource: v })} />
        <Field label="Namespace" value={f.namespace} onInput={(v) => setF({ ...f, namespace: v })} />
        <div class="field">
          <label for="allowed-filter">Outcome</label>
          <select id="allowed-filter" value={f.allowed} onChange={(e) => setF({ ...f, allowed: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">any</option><option value="true">allowed</option><option value="false">denied</option>
          </select>
        </div>
        <div class="actions"><button type="submit">Filter decisions</button></div>
      </form>
      <Decisions user={initial.user} verb={initial.verb} resource={initial.resource} namespace={initial.namespace} allowed={initial.allowed} />
    </Page>
  );
}

function Changes(q: { kind: string; namespace: string; name: string; actor: string }) {
  const { warden } = useSession();
  const { data, error, loading, reload } = useLoad((signal) => take(warden.changes({
    kind: q.kind || undefined, namespace: q.namespace || undefined, name: q.name || undefined, actor: q.actor || undefined, limit: shown, signal,
  }), shown), [q.kind, q.namespace, q.name, q.actor]);
  return (
    <section aria-label="Changes">
      <Loading when={loading && !data} />
      <Problem error={error} retry={reload} />
      {data && data.length === 0 && <p>No change matches.</p>}
      {data && data.length > 0 && (
        <ol class="changes">
          {data.map((c) => (
            <li key={c.metadata?.name}>
              <ChangeItem c={c} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Decisions(q: { user: string; verb: string; resource: string; namespace: string; allowed: string }) {
  const { warden } = useSession();
  const { data, error, loading, reload } = useLoad((signal) => take(warden.decisions({
    user: q.user || undefined, verb: q.verb || undefined, resource: q.resource || undefined, namespace: q.namespace || undefined,
    allowed: q.allowed === '' ? undefined : q.allowed === 'true', limit: shown, signal,
  }), shown), [q.user, q.verb, q.resource, q.namespace, q.allowed]);
  return (
    <section aria-label="Decisions">
      <Loading when={loading && !data} />
      <Problem error={error} retry={reload} />
      {data && data.length === 0 && <p>No decision matches.</p>}
      {data && data.length > 0 && (
        <div class="scroll">
          <table aria-label="Decisions">
            <thead><tr><th scope="col">When</th><th scope="col">Subject</th><th scope="col">Question</th><th scope="col">Outcome</th><th scope="col">Asked by</th></tr></thead>
            <tbody>
              {data.map((d) => {
                const s = d.spec;
                const question = s.path ? `${s.verb} ${s.path}` : `${s.verb ?? ''} ${s.resource ?? ''}${s.subresource ? `/${s.subresource}` : ''}${s.group ? `.${s.group}` : ''}${s.name ? ` ${s.name}` : ''}${s.namespace ? ` in ${s.namespace}` : ''}`;
                return (
                  <tr key={d.metadata?.name}>
                    <td><time dateTime={s.at}>{new Date(s.at).toLocaleString()}</time></td>
                    <td>{s.subject.user}</td>
                    <td>{s.path ? question : <a href={href('check', { user: s.subject.user, groups: s.subject.groups.join(','), verb: s.verb, resource: s.resource, subresource: s.subresource, group: s.group, namespace: s.namespace, name: s.name })}>{question}</a>}</td>
                    <td class={d.status.allowed ? 'allowed' : 'denied'}>{d.status.allowed ? 'allowed' : 'denied'}</td>
                    <td>{s.caller}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** One change; its diff is computed when it is opened. */
function ChangeItem({ c }: { c: ChangeRecord }) {
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>
        <time dateTime={c.time}>{new Date(c.time).toLocaleString()}</time> {c.actor} {c.operation}d {c.object.kind} {c.object.namespace ? `${c.object.namespace}/` : ''}{c.object.name} (revision {c.revision})
      </summary>
      {open && (
        <pre class="diff" aria-label={`Diff of ${c.object.kind} ${c.object.name}`}>
          {lineDiff(c.before, c.after).map((d, i) => <span key={i} class={d.op === '+' ? 'add' : d.op === '-' ? 'del' : ''}>{`${d.op} ${d.line}\n`}</span>)}
        </pre>
      )}
    </details>
  );
}
