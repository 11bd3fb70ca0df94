/**
 * Matrix: resources × verbs for a subject in a namespace, asked in one
 * batch (a cell is yes, no, or some: only for some names, when a rule of
 * the subject there names resourceNames); or subjects × verbs for one
 * resource, from who-can per verb. Each cell links to its explanation.
 */
import { useState } from 'preact/hooks';
import type { ViewProps } from '../app.tsx';
import { Field, Gate, href, Loading, Page, Problem } from '../parts.tsx';
import { useLoad, useSession } from '../session.ts';
import { splitList } from './check.tsx';

export const matrixVerbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
export const matrixResources: [string, string][] = [
  ['', 'pods'], ['', 'pods/exec'], ['', 'pods/log'], ['', 'services'], ['', 'configmaps'], ['', 'secrets'], ['', 'serviceaccounts'],
  ['', 'persistentvolumeclaims'], ['', 'resourcequotas'], ['', 'namespaces'], ['apps', 'deployments'], ['apps', 'statefulsets'],
  ['batch', 'jobs'], ['networking.k8s.io', 'networkpolicies'], ['networking.k8s.io', 'ingresses'],
  ['rbac.authorization.k8s.io', 'roles'], ['rbac.authorization.k8s.io', 'rolebindings'],
];

export function MatrixView({ query }: ViewProps) {
  const { navigate } = useSession();
  const initial = {
    user: query.get('user') ?? '', groups: query.get('groups') ?? '', namespace: query.get('namespace') ?? '',
    resource: query.get('resource') ?? '', group: query.get('group') ?? '',
  };
  const [form, setForm] = useState(initial);
  const bySubject = !initial.resource;
  return (
    <Page title="Matrix" intro="What a subject may do in a namespace (resources by verbs), or who may do what to one resource (subjects by verbs). Open a cell for its explanation.">
      <Gate need={{ verb: 'create', resource: 'subjectaccessreviewbatches', group: 'authorization.warden.dev' }} what="ask access reviews in batches">
        <form class="grid" onSubmit={(e) => { e.preventDefault(); navigate(href('matrix', form)); }}>
          <Field label="User" value={form.user} onInput={(v) => setForm({ ...form, user: v })} hint="for resources × verbs" />
          <Field label="Groups" value={form.groups} onInput={(v) => setForm({ ...form, groups: v })} hint="comma-separated" />
          <Field label="Resource" value={form.resource} onInput={(v) => setForm({ ...form, resource: v })} hint="instead of a user: subjects × verbs" />
          <Field label="API group" value={form.group} onInput={(v) => setForm({ ...form, group: v })} />
          <Field label="Namespace" value={form.namespace} onInput={(v) => setForm({ ...form, namespace: v })} hint="empty for cluster-wide" />
          <div class="actions"><button type="submit">Show</button></div>
        </form>
        {bySubject && (initial.user || initial.groups) && <Grid {...initial} />}
        {!bySubject && <BySubjects resource={initial.resource} group={initial.group} namespace={initial.namespace} />}
      </Gate>
    </Page>
  );
}

/** Subjects × verbs for one resource: who-can for each verb. */
function BySubjects(q: { resource: string; group: string; namespace: string }) {
  const { warden } = useSession();
  const { data, error, loading, reload } = useLoad(async (signal) => {
    const rows = new Map<string, { kind: string; name: string; namespace?: string; verbs: Set<string> }>();
    await Promise.all(matrixVerbs.map(async (verb) => {
      for await (const s of warden.whoCan({ verb, resource: q.resource, group: q.group || undefined, namespace: q.namespace || undefined, signal })) {
        const key = `${s.kind}/${s.namespace ?? ''}/${s.name}`;
        const row = rows.get(key) ?? { kind: s.kind, name: s.name, namespace: s.namespace, verbs: new Set<string>() };
        row.verbs.add(verb);
        rows.set(key, row);
      }
    }));
    return [...rows.values()].sort((a, b) => `${a.kind}${a.namespace ?? ''}${a.name}`.localeCompare(`${b.kind}${b.namespace ?? ''}${b.name}`));
  }, [q.resource, q.group, q.namespace]);
  const label = `${q.resource}${q.group ? `.${q.group}` : ''}`;
  return (
    <section aria-label="Permissions">
      <Loading when={loading && !data} />
      <Problem error={error} retry={reload} />
      {data && (
        <div class="scroll">
          <table class="matrix" aria-label={`Who may do what to ${label} ${q.namespace ? `in ${q.namespace}` : 'cluster-wide'}`}>
            <thead><tr><th scope="col">Subject</th>{matrixVerbs.map((v) => <th key={v} scope="col">{v}</th>)}</tr></thead>
            <tbody>
              {data.map((s) => {
                const subject = `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
                const user = s.kind === 'User' ? s.name : s.kind === 'ServiceAccount' ? `system:serviceaccount:${s.namespace}:${s.name}` : '';
                const groups = s.kind === 'Group' ? s.name : '';
                return (
                  <tr key={subject}>
                    <th scope="row">{subject}</th>
                    {matrixVerbs.map((verb) => {
                      const state = s.verbs.has(verb) ? 'yes' : 'no';
                      const link = href('check', { user, groups, verb, resource: q.resource, group: q.group, namespace: q.namespace });
                      return <td key={verb} class={`cell-${state}`}><a href={link} aria-label={`${subject} ${verb}: ${state}`}>{state}</a></td>;
                    })}
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

function Grid(q: { user: string; groups: string; namespace: string }) {
  const { warden } = useSession();
  const groups = splitList(q.groups);
  const { data, error, loading, reload } = useLoad(async (signal) => {
    const questions = matrixResources.flatMap(([group, res]) => matrixVerbs.map((verb) => {
      const [resource, subresource] = res.split('/');
      return { user: q.user, groups, verb, group, resource, subresource, namespace: q.namespace || undefined };
    }));
    const [answers, rules] = await Promise.all([
      warden.canMany(questions, { signal }),
      warden.rules({ user: q.user, groups, namespace: q.namespace }, { signal }).catch(() => undefined),
    ]);
    return { answers, rules };
  }, [q.user, q.groups, q.namespace]);
  const some = (group: string, res: string, verb: string) => (data?.rules?.resourceRules ?? []).some((r) =>
    (r.resourceNames ?? []).length > 0 && (r.verbs ?? []).some((v) => v === '*' || v === verb)
    && (r.apiGroups ?? []).some((g) => g === '*' || g === group) && (r.resources ?? []).some((x) => x === '*' || x === res));
  return (
    <section aria-label="Permissions">
      <Loading when={loading && !data} />
      <Problem error={error} retry={reload} />
      {data && (
        <div class="scroll">
          <table class="matrix" aria-label={`Permissions of ${q.user} ${q.namespace ? `in ${q.namespace}` : 'cluster-wide'}`}>
            <thead><tr><th scope="col">Resource</th>{matrixVerbs.map((v) => <th key={v} scope="col">{v}</th>)}</tr></thead>
            <tbody>
              {matrixResources.map(([group, res], i) => {
                const [resource, subresource] = res.split('/');
                return (
                  <tr key={res + group}>
                    <th scope="row">{res}{group ? `.${group}` : ''}</th>
                    {matrixVerbs.map((verb, j) => {
                      const allowed = data.answers[i * matrixVerbs.length + j]?.allowed;
                      const state = allowed ? 'yes' : some(group, res, verb) ? 'some' : 'no';
                      const link = href('check', { user: q.user, groups: q.groups, verb, resource, subresource, group, namespace: q.namespace });
                      return <td key={verb} class={`cell-${state}`}><a href={link} aria-label={`${verb} ${res}: ${state === 'some' ? 'only some names' : state}`}>{state === 'some' ? 'some' : state}</a></td>;
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p class="legend"><span class="cell-yes">yes</span> allowed · <span class="cell-some">some</span> only for some names · <span class="cell-no">no</span> denied</p>
    </section>
  );
}
