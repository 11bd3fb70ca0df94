/**
 * Subjects: one user, group or service account: the bindings that name it,
 * its rules per namespace (SubjectRulesReview), the tenants it owns and its
 * recent decisions.
 */
import { useState } from 'preact/hooks';
import type { ViewProps } from '../app.tsx';
import { Field, href, Loading, Page, Problem, ruleText } from '../parts.tsx';
import { take, useLoad, useSession } from '../session.ts';

type Subject = { kind?: string; name?: string; namespace?: string };

function same(s: Subject, q: { kind: string; name: string; namespace: string }): boolean {
  return s.kind === q.kind && s.name === q.name && (q.kind !== 'ServiceAccount' || (s.namespace ?? '') === q.namespace);
}

export function SubjectsView({ query }: ViewProps) {
  const { navigate } = useSession();
  const initial = { kind: query.get('kind') || 'User', name: query.get('name') ?? '', namespace: query.get('namespace') ?? '' };
  const [f, setF] = useState(initial);
  return (
    <Page title="Subjects" intro="A user's, group's or service account's bindings, rules per namespace, tenants and recent decisions.">
      <form class="grid" onSubmit={(e) => { e.preventDefault(); navigate(href('subjects', f)); }}>
        <div class="field">
          <label for="subject-kind">Kind</label>
          <select id="subject-kind" value={f.kind} onChange={(e) => setF({ ...f, kind: (e.currentTarget as HTMLSelectElement).value })}>
            <option>User</option><option>Group</option><option>ServiceAccount</option>
          </select>
        </div>
        <Field label="Name" value={f.name} onInput={(v) => setF({ ...f, name: v })} required />
        <Field label="Namespace" value={f.namespace} onInput={(v) => setF({ ...f, namespace: v })} hint="of a service account" />
        <div class="actions"><button type="submit">Show</button></div>
      </form>
      {initial.name ? <Detail {...initial} /> : <p>Pick a subject, or open one from Who can or Risks.</p>}
    </Page>
  );
}

function Detail(q: { kind: string; name: string; namespace: string }) {
  const { warden } = useSession();
  const user = q.kind === 'ServiceAccount' ? `system:serviceaccount:${q.namespace}:${q.name}` : q.kind === 'User' ? q.name : '';
  const groups = q.kind === 'Group' ? [q.name] : q.kind === 'ServiceAccount' ? ['system:serviceaccounts', `system:serviceaccounts:${q.namespace}`, 'system:authenticated'] : [];
  const bindings = useLoad(async (signal) => {
    // ClusterRoleBindings may be out of the caller's sight (a tenant owner sees its own namespaces' RoleBindings).
    const [rbs, crbs] = await Promise.all([
      warden.roleBindings.all({ signal }),
      warden.clusterRoleBindings.all({ signal }).catch((e: unknown) => { if ((e as { status?: number }).status === 403) return undefined; throw e; }),
    ]);
    const list = [...(crbs ?? []), ...rbs].filter((b) => (b.subjects ?? []).some((s) => same(s, q)));
    return Object.assign(list, { clusterHidden: !crbs });
  }, [q.kind, q.name, q.namespace]);
  // Rules are reviewed per namespace: those of its RoleBindings, and `default` for what ClusterRoleBindings grant everywhere.
  const namespaces = bindings.data
    ? [...new Set([...(bindings.data.some((b) => !b.metadata?.namespace) ? ['default'] : []), ...bindings.data.map((b) => b.metadata?.namespace).filter((x): x is string => !!x)])]
    : undefined;
  const rules = useLoad(async (signal) => {
    if (!namespaces) return undefined;
    // A group's rules: the review asked with the group alone.
    return Promise.all(namespaces.map(async (ns) => ({ ns, status: await warden.rules({ user, groups, namespace: ns }, { signal }) })));
  }, [JSON.stringify(namespaces), user]);
  const tenants = useLoad(async (signal) => {
    try {
      return (await warden.tenants.all({ signal })).filter((t) => (t.spec?.owners ?? []).some((s) => same(s, q)));
    } catch (e) {
      if ((e as { status?: number }).status === 403) return undefined;
      throw e;
    }
  }, [q.kind, q.name, q.namespace]);
  const decisions = useLoad((signal) => take(warden.decisions(q.kind === 'Group' ? { group: q.name, limit: 20, signal } : { user, limit: 20, signal }), 20), [q.kind, user, q.name]);
  return (
    <>
      <h2>{q.kind} {q.kind === 'ServiceAccount' ? `${q.namespace}/` : ''}{q.name}</h2>
      <section aria-label="Bindings">
        <h3>Bindings</h3>
        <Loading when={bindings.loading} />
        <Problem error={bindings.error} retry={bindings.reload} />
        {bindings.data?.clusterHidden && <p>You may not list ClusterRoleBindings: only RoleBindings are shown.</p>}
        {bindings.data && (bindings.data.length === 0 ? <p>No binding names this subject directly.</p> : (
          <ul>{bindings.data.map((b) => <li key={`${b.kind}/${b.metadata?.namespace}/${b.metadata?.name}`}>{b.kind} {b.metadata?.namespace ? `${b.metadata.namespace}/` : ''}{b.metadata?.name} → {b.roleRef?.kind} {b.roleRef?.name}</li>)}</ul>
        ))}
      </section>
      <section aria-label="Rules per namespace">
        <h3>Rules per namespace</h3>
        <Loading when={rules.loading && !!namespaces} />
        {namespaces?.length === 0 && <p>No binding, so no rules beyond what every authenticated user has.</p>}
        <Problem error={rules.error} retry={rules.reload} />
        {rules.data?.map(({ ns, status }) => (
          <div key={ns}>
            <h4>Namespace {ns}{user && <> · <a href={href('matrix', { user, groups: groups.join(','), namespace: ns })}>matrix of {ns}</a></>}</h4>
            <ul>{(status.resourceRules ?? []).map((r, i) => <li key={i}><code>{ruleText(r)}</code></li>)}{(status.nonResourceRules ?? []).map((r, i) => <li key={`n${i}`}><code>{ruleText(r)}</code></li>)}</ul>
          </div>
        ))}
      </section>
      <section aria-label="Tenants">
        <h3>Tenants owned</h3>
        <Problem error={tenants.error} />
        {tenants.data && (tenants.data.length ? <ul>{tenants.data.map((t) => <li key={t.metadata?.name}>{t.metadata?.name}</li>)}</ul> : <p>None.</p>)}
        {!tenants.loading && !tenants.error && !tenants.data && <p>You may not list tenants.</p>}
      </section>
      <section aria-label="Recent decisions">
        <h3>Recent decisions</h3>
        <Problem error={decisions.error} retry={decisions.reload} />
        {decisions.data && (decisions.data.length ? (
          <ul>{decisions.data.map((d) => <li key={d.metadata?.name}><time dateTime={d.spec.at}>{new Date(d.spec.at).toLocaleString()}</time> {d.spec.verb} {d.spec.resource ?? d.spec.path}{d.spec.namespace ? ` in ${d.spec.namespace}` : ''}: <span class={d.status.allowed ? 'allowed' : 'denied'}>{d.status.allowed ? 'allowed' : 'denied'}</span></li>)}</ul>
        ) : <p>None recorded.</p>)}
      </section>
    </>
  );
}
