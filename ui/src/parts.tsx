// Small pieces every view uses: a labelled field, the error area, the
// notice that the caller may not use a view, and URL helpers.
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { message, useSelfCan, type SelfQuestion } from './session.ts';

export function Field(props: { label: string; value: string; onInput(v: string): void; placeholder?: string; list?: string; type?: string; hint?: string; required?: boolean }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id} name={props.label} type={props.type ?? 'text'} value={props.value} placeholder={props.placeholder} list={props.list}
        required={props.required} autocomplete="off" spellcheck={false}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
      {props.hint && <small>{props.hint}</small>}
    </div>
  );
}

/** Whether trying again may help: no answer, or the server busy or failing (not a refusal). */
function retryable(e: unknown): boolean {
  const status = (e as { status?: unknown }).status;
  return typeof status !== 'number' || status === 0 || status === 429 || status >= 500;
}

/** The error area: the Status message of a refused or failed call (with Retry when trying again may help). */
export function Problem(props: { error: unknown; retry?: () => void }) {
  if (!props.error) return null;
  return (
    <div class="problem" role="alert">
      <p>{message(props.error)}</p>
      {props.retry && retryable(props.error) && <button type="button" onClick={props.retry}>Retry</button>}
    </div>
  );
}

/** Renders the children when the caller may do `need`; else says why not. */
export function Gate(props: { need: SelfQuestion; what: string; children: ComponentChildren }) {
  const d = useSelfCan(props.need);
  if (!d) return <p aria-busy="true">Checking your permissions…</p>;
  if (!d.allowed) {
    const g = props.need.group ? `.${props.need.group}` : '';
    return (
      <div class="problem" role="alert">
        <p>
          You may not {props.what}: it takes <code>{props.need.verb}</code> on <code>{props.need.resource}{g}</code>
          {props.need.namespace ? ` in namespace ${props.need.namespace}` : ''}.
        </p>
        {d.reason && <p>{d.reason}</p>}
      </div>
    );
  }
  return <>{props.children}</>;
}

/** `/ui/<view>?k=v` with the empty values left out. */
export function href(view: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return `/ui/${view}${s ? `?${s}` : ''}`;
}

export function Loading(props: { when: boolean }) {
  return props.when ? <p class="loading" aria-live="polite">Loading…</p> : null;
}

export const Page = (props: { title: string; children: ComponentChildren; intro?: string }) => (
  <>
    <h1>{props.title}</h1>
    {props.intro && <p class="intro">{props.intro}</p>}
    {props.children}
  </>
);

export function refText(r: { kind?: string; namespace?: string; name?: string } | undefined): string {
  if (!r) return '';
  return `${r.kind ?? ''} ${r.namespace ? `${r.namespace}/` : ''}${r.name ?? ''}`.trim();
}

export function ruleText(r: { verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }): string {
  if (r.nonResourceURLs?.length) return `${(r.verbs ?? []).join(',')} ${r.nonResourceURLs.join(',')}`;
  const groups = (r.apiGroups ?? []).map((g) => (g === '' ? 'core' : g)).join(',');
  const names = r.resourceNames?.length ? ` [${r.resourceNames.join(',')}]` : '';
  return `${(r.verbs ?? []).join(',')} ${(r.resources ?? []).join(',')} (${groups})${names}`;
}
