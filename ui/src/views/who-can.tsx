/**
 * Who can: every subject that may do something, with the bindings that
 * grant it, in a table named Subjects: filtered and paginated in the page,
 * exported as CSV.
 */
import { useMemo, useState } from 'preact/hooks';
import type { Grantee } from '@warden/sdk';
import type { ViewProps } from '../app.tsx';
import { Field, Gate, href, Loading, Page, Problem } from '../parts.tsx';
import { useLoad, useSession } from '../session.ts';

const fields = [['verb', 'Verb'], ['resource', 'Resource'], ['group', 'API group'], ['namespace', 'Namespace'], ['name', 'Name']] as const;
type Key = (typeof fields)[number][0];
const pageSize = 25;

export function grantText(s: Grantee): string {
  if (s.privileged) return `group ${s.privileged} (privileged)`;
  return s.bindings.map((b) => `${b.kind} ${b.namespace ? `${b.namespace}/` : ''}${b.name} → ${b.roleRef?.kind ?? ''} ${b.roleRef?.name ?? ''}`).join('; ');
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) || /^[=+\-@\t]/.test(v) ? `"${(/^[=+\-@\t]/.test(v) ? `'${v}` : v).replace(/"/g, '""')}"` : v;
}

export function toCsv(rows: Grantee[]): string {
  const lines = [['kind', 'namespace', 'name', 'granted by'].join(',')];
  for (const s of rows) lines.push([s.kind, s.namespace ?? '', s.name, grantText(s)].map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function WhoCanView({ query }: ViewProps) {
  const { navigate } = useSession();
  const initial = Object.fromEntries(fields.map(([k]) => [k, query.get(k) ?? ''])) as Record<Key, string>;
  const [form, setForm] = useState(initial);
  return (
    <Page title="Who can" intro="Every user, group and service account that may do this, and the bindings that grant it.">
      <Gate need={{ verb: 'create', resource: 'resourceaccessreviews', group: 'authorization.warden.dev' }} what="ask who can">
        <form class="grid" onSubmit={(e) => { e.preventDefault(); navigate(href('who-can', form)); }}>
          {fields.map(([k, label]) => (
            <Field key={k} label={label} value={form[k]} onInput={(v) => setForm({ ...form, [k]: v })} required={k === 'verb' || k === 'resource'}
              hint={k === 'group' ? 'empty for the core group' : undefined} />
          ))}
          <div class="actions"><button type="submit">List</button></div>
        </form>
        {initial.verb && initial.resource && <Subjects q={initial} />}
      </Gate>
    </Page>
  );
}

function Subjects({ q }: { q: Record<Key, string> }) {
  const { warden } = useSession();
  const { data, error, loading, reload } = useLoad(async (signal) => {
    const out: Grantee[] = [];
    for await (const s of warden.whoCan({ verb: q.verb, resource: q.resource, group: q.group || undefined, namespace: q.namespace || undefined, name: q.name || undefined, signal })) out.push(s);
    return out;
  }, [JSON.stringify(q)]);
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return (data ?? []).filter((s) => !f || `${s.kind} ${s.namespace ?? ''} ${s.name} ${grantText(s)}`.toLowerCase().includes(f));
  }, [data, filter]);
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const p = Math.min(page, pages - 1);
  const download = () => {
    const url = URL.createObjectURL(new Blob([toCsv(rows)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `who-can-${q.verb}-${q.resource}${q.namespace ? `-${q.namespace}` : ''}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <section aria-label="Result">
      <Loading when={loading && !data} />
      <Problem error={error} retry={reload} />
      {data && (
        <>
          <div class="toolbar">
            <Field label="Filter" value={filter} onInput={(v) => { setFilter(v); setPage(0); }} placeholder="name, kind or binding" />
            <button type="button" onClick={download}>Export CSV</button>
          </div>
          <p aria-live="polite">{rows.length} of {data.length} subject{data.length === 1 ? '' : 's'}.</p>
          <div class="scroll">
            <table aria-label="Subjects">
              <caption>Subjects that may {q.verb} {q.resource}{q.group ? `.${q.group}` : ''}{q.name ? ` ${q.name}` : ''} {q.namespace ? `in ${q.namespace}` : 'cluster-wide'}</caption>
              <thead><tr><th scope="col">Kind</th><th scope="col">Namespace</th><th scope="col">Name</th><th scope="col">Granted by</th></tr></thead>
              <tbody>
                {rows.slice(p * pageSize, (p + 1) * pageSize).map((s) => (
                  <tr key={`${s.kind}/${s.namespace ?? ''}/${s.name}`}>
                    <td>{s.kind}</td>
                    <td>{s.namespace ?? ''}</td>
                    <td><a href={href('subjects', { kind: s.kind, name: s.name, namespace: s.namespace })}>{s.name}</a></td>
                    <td>{grantText(s)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="pager" role="group" aria-label="Pages">
            <button type="button" disabled={p === 0} onClick={() => setPage(p - 1)}>Previous page</button>
            <span>Page {p + 1} of {pages}</span>
            <button type="button" disabled={p >= pages - 1} onClick={() => setPage(p + 1)}>Next page</button>
          </div>
        </>
      )}
    </section>
  );
}
