/**
 * Check: may this user do this? Every field lives in the URL, so a link
 * shows the decision directly; the Decision region says Allowed or Denied
 * with the explanation (the granting binding, role and rule, or the
 * bindings that applied and what was missing).
 */
import { useState } from 'preact/hooks';
import type { Explanation } from '@warden/sdk';
import type { ViewProps } from '../app.tsx';
import { Field, Gate, href, Loading, Page, Problem, refText, ruleText } from '../parts.tsx';
import { useLoad, useSession } from '../session.ts';

export const checkFields = [
  ['user', 'User'], ['groups', 'Groups'], ['verb', 'Verb'], ['resource', 'Resource'], ['group', 'API group'],
  ['subresource', 'Subresource'], ['namespace', 'Namespace'], ['name', 'Name'],
] as const;
type Key = (typeof checkFields)[number][0];

export const splitList = (s: string | null | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

export function CheckView({ query }: ViewProps) {
  const { navigate } = useSession();
  const initial = Object.fromEntries(checkFields.map(([k]) => [k, query.get(k) ?? ''])) as Record<Key, string>;
  const [form, setForm] = useState(initial);
  const ready = !!((initial.user || initial.groups) && initial.verb && initial.resource);
  return (
    <Page title="Check" intro="May a user (with its groups) do this? The answer comes with the reason.">
      <Gate need={{ verb: 'create', resource: 'subjectaccessexplanations', group: 'authorization.warden.dev' }} what="ask access reviews">
        <form class="grid" onSubmit={(e) => { e.preventDefault(); navigate(href('check', form)); }}>
          {checkFields.map(([k, label]) => (
            <Field key={k} label={label} value={form[k]} onInput={(v) => setForm({ ...form, [k]: v })}
              required={k === 'verb' || k === 'resource'}
              hint={k === 'user' ? 'or groups alone' : k === 'groups' ? 'comma-separated' : k === 'group' ? 'empty for the core group' : undefined} />
          ))}
          <div class="actions"><button type="submit">Check</button></div>
        </form>
        {ready && <Result attrs={initial} />}
      </Gate>
    </Page>
  );
}

function Result({ attrs }: { attrs: Record<Key, string> }) {
  const { warden } = useSession();
  const key = JSON.stringify(attrs);
  const { data, error, loading, reload } = useLoad((signal) => warden.explain({
    user: attrs.user, groups: splitList(attrs.groups), verb: attrs.verb, resource: attrs.resource, group: attrs.group || undefined,
    subresource: attrs.subresource || undefined, namespace: attrs.namespace || undefined, name: attrs.name || undefined,
  }, { signal }), [key]);
  return (
    <section class="decision" aria-label="Decision" aria-busy={loading}>
      <h2>Decision</h2>
      <Loading when={loading && !data} />
      <Problem error={error} retry={reload} />
      {data && <Explained d={data} attrs={attrs} />}
    </section>
  );
}

function Explained({ d, attrs }: { d: Explanation; attrs: Record<Key, string> }) {
  const where = attrs.namespace ? `in namespace ${attrs.namespace}` : 'cluster-wide';
  const what = `${attrs.verb} ${attrs.resource}${attrs.subresource ? `/${attrs.subresource}` : ''}${attrs.group ? `.${attrs.group}` : ''}${attrs.name ? ` ${attrs.name}` : ''}`;
  const g = d.grantedBy;
  return (
    <div class={d.allowed ? 'allowed' : 'denied'}>
      <p class="verdict"><strong>{d.allowed ? 'Allowed' : 'Denied'}</strong>: {attrs.user || `a member of ${attrs.groups}`} may {d.allowed ? '' : 'not '}{what} {where}.</p>
      {d.reason && <p class="reason">{d.reason}</p>}
      {d.evaluationError && <p class="reason">Evaluation error: {d.evaluationError}</p>}
      {g?.group && <p>Granted by membership of the privileged group <code>{g.group}</code>, before RBAC is asked.</p>}
      {g && !g.group && (
        <dl class="grant">
          <dt>Binding</dt><dd>{refText(g.binding)}</dd>
          <dt>Role</dt><dd>{refText(g.role)}</dd>
          {g.rule && <><dt>Rule{g.ruleIndex !== undefined ? ` #${g.ruleIndex + 1}` : ''}</dt><dd><code>{ruleText(g.rule)}</code></dd></>}
          {g.subject && <><dt>As subject</dt><dd>{refText(g.subject)}</dd></>}
        </dl>
      )}
      {d.allowed && !g && d.hidden > 0 && <p>The granting binding is one you may not read.</p>}
      {!d.allowed && (
        <>
          {d.missing && <p class="missing"><strong>Missing:</strong> {d.missing}</p>}
          <h3>Bindings that applied</h3>
          {d.considered.length === 0 ? <p>No binding you may read applies to this subject here.</p> : (
            <ul class="considered">
              {d.considered.map((c, i) => (
                <li key={i}>
                  {refText(c.binding)} → {refText(c.role)}{c.roleFound === false ? ' (role not found)' : ''}
                  {c.rules && c.rules.length > 0 && <ul>{c.rules.map((r, j) => <li key={j}><code>{ruleText(r)}</code></li>)}</ul>}
                </li>
              ))}
            </ul>
          )}
          {d.hidden > 0 && <p>{d.hidden} more binding{d.hidden === 1 ? '' : 's'} you may not read also applied.</p>}
        </>
      )}
      <p class="meta">Decided at revision {d.revision}.</p>
    </div>
  );
}
