// Risks: dangerous or broken grants the server finds (RiskReview), most severe first.
import { useState } from 'preact/hooks';
import type { ViewProps } from '../app.tsx';
import { Field, Gate, href, Loading, Page, Problem, refText, ruleText } from '../parts.tsx';
import { useLoad, useSession } from '../session.ts';

export function RisksView({ query }: ViewProps) {
  const { navigate } = useSession();
  const [ns, setNs] = useState(query.get('namespace') ?? '');
  const defaults = query.get('includeDefaults') === 'true';
  return (
    <Page title="Risks" intro="Who can escalate, bind or impersonate, read secrets, use wildcards or run pods in system namespaces; cluster-admin grants; bindings to missing roles; unused roles; subjects of other tenants.">
      <Gate need={{ verb: 'create', resource: 'riskreviews', group: 'authorization.warden.dev' }} what="review risks">
        <form class="grid" onSubmit={(e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget as HTMLFormElement);
          navigate(href('risks', { namespace: ns, includeDefaults: fd.get('defaults') ? 'true' : undefined }));
        }}>
          <Field label="Namespace" value={ns} onInput={setNs} hint="empty for the whole cluster" />
          <div class="field check"><label><input type="checkbox" name="defaults" defaultChecked={defaults} /> Include Kubernetes' defaults</label></div>
          <div class="actions"><button type="submit">Review</button></div>
        </form>
        <Findings namespace={query.get('namespace') ?? ''} defaults={defaults} />
      </Gate>
    </Page>
  );
}

function Findings({ namespace, defaults }: { namespace: string; defaults: boolean }) {
  const { warden } = useSession();
  const { data, error, loading, reload } = useLoad((signal) => warden.risks({ namespace: namespace || undefined, includeDefaults: defaults, signal }), [namespace, defaults]);
  return (
    <section aria-label="Findings">
      <Loading when={loading && !data} />
      <Problem error={error} retry={reload} />
      {data && (
        <>
          <p aria-live="polite">{data.findings.length} finding{data.findings.length === 1 ? '' : 's'}{data.incomplete ? ' (incomplete: some objects could not be read)' : ''}, at revision {data.revision}.</p>
          <div class="scroll">
            <table aria-label="Findings">
              <thead><tr><th scope="col">Severity</th><th scope="col">Finding</th><th scope="col">Namespace</th><th scope="col">Subjects</th><th scope="col">Bindings and roles</th></tr></thead>
              <tbody>
                {data.findings.map((f) => (
                  <tr key={f.id}>
                    <td><span class={`sev sev-${f.severity}`}>{f.severity}</span></td>
                    <td><strong>{f.type}</strong><br />{f.message}{f.rules?.length ? <ul>{f.rules.map((r, i) => <li key={i}><code>{ruleText(r)}</code></li>)}</ul> : null}</td>
                    <td>{f.namespace ?? 'cluster-wide'}</td>
                    <td>{(f.subjects ?? []).map((s, i) => <div key={i}><a href={href('subjects', { kind: s.kind, name: s.name, namespace: s.namespace })}>{refText(s)}</a></div>)}</td>
                    <td>
                      {(f.bindings ?? []).map((b, i) => <div key={`b${i}`}>{refText(b)}{b.roleRef ? ` → ${b.roleRef.kind} ${b.roleRef.name}` : ''}</div>)}
                      {(f.roles ?? []).map((r, i) => <div key={`r${i}`}>{refText(r)}</div>)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
