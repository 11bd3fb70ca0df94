/**
 * What if: paste (or load) YAML of a change and see who would gain or lose
 * which rules (RBACChangeReview) before anything is written; Apply shows
 * only for a caller who may create every object of the change.
 */
import { useEffect, useState } from 'preact/hooks';
import { parseAllDocuments } from 'yaml';
import type { WhatIfResult } from '@warden/sdk';
import type { ViewProps } from '../app.tsx';
import { Gate, Page, Problem, refText, ruleText } from '../parts.tsx';
import { message, selfCan, useSession } from '../session.ts';

type Obj = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };

/** The objects of a YAML text, or the parser's first error with its line. */
export function parseObjects(text: string): { objects: Obj[] } | { error: string } {
  const objects: Obj[] = [];
  for (const doc of parseAllDocuments(text)) {
    const err = doc.errors[0];
    if (err) return { error: `line ${err.linePos?.[0]?.line ?? '?'}, column ${err.linePos?.[0]?.col ?? '?'}: ${err.message.split('\n')[0]}` };
    const v = doc.toJS() as unknown;
    if (v == null) continue;
    const items = (v as { kind?: string; items?: unknown[] }).kind?.endsWith('List') ? (v as { items?: unknown[] }).items ?? [] : [v];
    for (const o of items) {
      if (!o || typeof o !== 'object' || Array.isArray(o)) return { error: 'every document must be an object with apiVersion and kind' };
      objects.push(o as Obj);
    }
  }
  if (!objects.length) return { error: 'no object in the YAML' };
  return { objects };
}

/** The resource (plural) of a kind, as the API names it. */
function resourceOf(kind: string): string {
  const k = kind.toLowerCase();
  return k.endsWith('y') ? `${k.slice(0, -1)}ies` : k.endsWith('s') ? `${k}es` : `${k}s`;
}

export function WhatIfView(_: ViewProps) {
  const { warden } = useSession();
  const [text, setText] = useState('');
  const [parsed, setParsed] = useState<Obj[] | undefined>();
  const [parseError, setParseError] = useState<string | undefined>();
  const [result, setResult] = useState<WhatIfResult | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [mayApply, setMayApply] = useState<{ ok: boolean; why?: string } | undefined>();
  const [applied, setApplied] = useState<string | undefined>();

  const review = async (e: Event) => {
    e.preventDefault();
    setResult(undefined); setError(undefined); setApplied(undefined); setParseError(undefined);
    const p = parseObjects(text);
    if ('error' in p) { setParseError(p.error); setParsed(undefined); return; }
    setParsed(p.objects);
    setBusy(true);
    try {
      setResult(await warden.whatIf(p.objects as never));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    setMayApply(undefined);
    if (!parsed) return;
    let live = true;
    Promise.all(parsed.map((o) => {
      const [group] = (o.apiVersion ?? '').includes('/') ? (o.apiVersion ?? '').split('/') : [''];
      return selfCan(warden, { verb: 'create', resource: resourceOf(o.kind ?? ''), group, namespace: o.metadata?.namespace }).then((d) => ({ o, d }));
    })).then((all) => {
      if (!live) return;
      const no = all.find((x) => !x.d.allowed);
      setMayApply(no ? { ok: false, why: `you may not create ${no.o.kind} ${no.o.metadata?.name ?? ''}${no.o.metadata?.namespace ? ` in ${no.o.metadata.namespace}` : ''}` } : { ok: true });
    }, (err) => live && setMayApply({ ok: false, why: message(err) }));
    return () => { live = false; };
  }, [parsed, warden]);

  const apply = async () => {
    setBusy(true); setError(undefined);
    try {
      const out = await warden.apply(text, { fieldManager: 'warden-dashboard' });
      setApplied(`Applied ${out.length} object${out.length === 1 ? '' : 's'}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const load = async (e: Event) => {
    const f = (e.currentTarget as HTMLInputElement).files?.[0];
    if (f) setText(await f.text());
  };

  return (
    <Page title="What if" intro="Paste a change (Roles, ClusterRoles, bindings) to see who would gain or lose what. Nothing is written until you apply it.">
      <Gate need={{ verb: 'create', resource: 'rbacchangereviews', group: 'authorization.warden.dev' }} what="review changes">
        <form onSubmit={review}>
          <div class="field">
            <label for="whatif-yaml">Change (YAML)</label>
            <textarea id="whatif-yaml" rows={14} value={text} spellcheck={false} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
          </div>
          <div class="field">
            <label for="whatif-file">Or load a file</label>
            <input id="whatif-file" type="file" accept=".yaml,.yml,.json" onChange={load} />
          </div>
          <div class="actions"><button type="submit" disabled={busy}>Review change</button></div>
        </form>
        {parseError && <div class="problem" role="alert"><p>The YAML does not parse: {parseError}</p></div>}
        <Problem error={error} />
        {result && (
          <section aria-label="Permission delta">
            <h2>Permission delta</h2>
            {result.entries.length === 0 ? <p>No one would gain or lose anything.</p> : (
              <div class="scroll">
                <table aria-label="Permission delta">
                  <thead><tr><th scope="col">Subject</th><th scope="col">Namespace</th><th scope="col">Gained</th><th scope="col">Lost</th></tr></thead>
                  <tbody>
                    {result.entries.map((c, i) => (
                      <tr key={i}>
                        <td>{refText(c.subject)}</td>
                        <td>{c.namespace || 'cluster-wide'}</td>
                        <td class="gained">{(c.gained ?? []).map((r, j) => <div key={j}><code>+ {ruleText(r)}</code></div>)}</td>
                        <td class="lost">{(c.lost ?? []).map((r, j) => <div key={j}><code>- {ruleText(r)}</code></div>)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {mayApply?.ok && <button type="button" onClick={apply} disabled={busy}>Apply</button>}
            {mayApply && !mayApply.ok && <p>You cannot apply this change: {mayApply.why}.</p>}
            {applied && <p role="status">{applied}</p>}
          </section>
        )}
      </Gate>
    </Page>
  );
}
