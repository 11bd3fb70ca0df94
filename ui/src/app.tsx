/**
 * The dashboard shell: sign-in (a bearer token kept in sessionStorage),
 * the signed-in identity, navigation (links to the views the caller may
 * use), and the one `main` landmark each view renders into. Views are
 * chosen by the path below /ui/ and read their inputs from the query, so
 * every view can be linked to directly.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { FunctionComponent } from 'preact';
import { WardenError } from '@warden/sdk';
import { client, message, SessionContext, tokenKey, useRevision, useSelfCan, type Identity, type SelfQuestion, type Session } from './session.ts';
import { Field, Problem } from './parts.tsx';
import { CheckView } from './views/check.tsx';
import { WhoCanView } from './views/who-can.tsx';
import { RisksView } from './views/risks.tsx';
import { QuotasView } from './views/quotas.tsx';
import { MatrixView } from './views/matrix.tsx';
import { HistoryView } from './views/history.tsx';
import { SubjectsView } from './views/subjects.tsx';
import { WhatIfView } from './views/what-if.tsx';
import { NetworkView } from './views/network.tsx';
import { HomeView } from './views/home.tsx';

export interface ViewProps {
  query: URLSearchParams;
}

export interface ViewDef {
  path: string;
  title: string;
  /** What the view takes, for hiding its link; none for views whose lists Warden narrows to what the caller may see (a tenant's namespaces). */
  need?: SelfQuestion;
  view: FunctionComponent<ViewProps>;
}

export const views: ViewDef[] = [
  { path: 'check', title: 'Check', need: { verb: 'create', resource: 'subjectaccessreviews', group: 'authorization.k8s.io' }, view: CheckView },
  { path: 'who-can', title: 'Who can', need: { verb: 'create', resource: 'resourceaccessreviews', group: 'authorization.warden.dev' }, view: WhoCanView },
  { path: 'matrix', title: 'Matrix', need: { verb: 'create', resource: 'subjectaccessreviewbatches', group: 'authorization.warden.dev' }, view: MatrixView },
  { path: 'subjects', title: 'Subjects', view: SubjectsView },
  { path: 'risks', title: 'Risks', need: { verb: 'create', resource: 'riskreviews', group: 'authorization.warden.dev' }, view: RisksView },
  { path: 'what-if', title: 'What if', need: { verb: 'create', resource: 'rbacchangereviews', group: 'authorization.warden.dev' }, view: WhatIfView },
  { path: 'network', title: 'Network', need: { verb: 'create', resource: 'reachabilityreviews', group: 'networking.warden.dev' }, view: NetworkView },
  { path: 'quotas', title: 'Quotas', view: QuotasView },
  { path: 'history', title: 'History', need: { verb: 'list', resource: 'changes', group: 'audit.warden.dev' }, view: HistoryView },
];

function currentRoute() {
  const path = location.pathname.replace(/^\/ui\/?/, '').replace(/\/+$/, '').split('/')[0] ?? '';
  return { path, query: new URLSearchParams(location.search) };
}

export function App() {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(tokenKey));
  const [me, setMe] = useState<Identity | undefined>();
  const [signInError, setSignInError] = useState<string | undefined>();
  const [route, setRoute] = useState(currentRoute);
  const [attempt, setAttempt] = useState(0);
  const warden = useMemo(() => (token ? client(token) : undefined), [token]);
  const [live, setLive] = useState(() => localStorage.getItem('warden.live') !== 'off');
  const revision = useRevision(me ? warden : undefined, live);

  useEffect(() => {
    const onPop = () => setRoute(currentRoute());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    if (!warden) return;
    let live = true;
    setMe(undefined);
    warden.whoAmI().then(
      (u) => live && setMe({ username: u.username ?? '', groups: u.groups ?? [] }),
      (e) => {
        if (!live) return;
        if (e instanceof WardenError && e.status === 401) {
          sessionStorage.removeItem(tokenKey);
          setToken(null);
          setSignInError(`The token was not accepted: ${e.message}`);
        } else {
          setSignInError(message(e));
        }
      },
    );
    return () => { live = false; };
  }, [warden, attempt]);

  const navigate = (to: string) => {
    history.pushState(null, '', to);
    setRoute(currentRoute());
    scrollTo(0, 0);
  };
  const signOut = () => {
    sessionStorage.removeItem(tokenKey);
    setToken(null);
    setMe(undefined);
    setSignInError(undefined);
  };

  // Links inside the dashboard change the view without reloading the page.
  const onClick = (e: MouseEvent) => {
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.hasAttribute('download') || a.target) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith('/ui/')) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  };

  if (!warden || !me) {
    return (
      <div class="shell" onClick={onClick}>
        <header class="top"><span class="brand">Warden access review</span></header>
        <main>
          {warden && !signInError
            ? <p aria-busy="true">Signing in…</p>
            : <SignIn error={signInError} onToken={(t) => { sessionStorage.setItem(tokenKey, t); setSignInError(undefined); setToken(t); }} retry={warden && signInError ? () => { setSignInError(undefined); setAttempt((n) => n + 1); } : undefined} />}
        </main>
      </div>
    );
  }

  const session: Session = { warden, me, signOut, navigate, revision };
  const def = views.find((v) => v.path === route.path);
  return (
    <SessionContext.Provider value={session}>
      <div class="shell" onClick={onClick}>
        <header class="top">
          <a class="brand" href="/ui/">Warden access review</a>
          <div class="identity" role="group" aria-label="Signed in as">
            <span>Signed in as <strong class="user">{me.username}</strong></span>
            {me.groups.length > 0 && <span class="groups"> in {me.groups.join(', ')}</span>}
            <label class="live"><input type="checkbox" checked={live} onChange={(e) => { const on = (e.currentTarget as HTMLInputElement).checked; localStorage.setItem('warden.live', on ? 'on' : 'off'); setLive(on); }} /> Live updates</label>
            <button type="button" onClick={signOut}>Sign out</button>
          </div>
        </header>
        <nav aria-label="Views">
          <ul>{views.map((v) => <NavItem key={v.path} def={v} current={v.path === route.path} />)}</ul>
        </nav>
        <main>
          {def ? <def.view key={def.path} query={route.query} /> : <HomeView />}
        </main>
      </div>
    </SessionContext.Provider>
  );
}

/** A link to a view, shown only when the caller may use it. */
function NavItem(props: { def: ViewDef; current: boolean }) {
  const d = useSelfCan(props.def.need);
  if (props.def.need && !d?.allowed) return null;
  return <li><a href={`/ui/${props.def.path}`} aria-current={props.current ? 'page' : undefined}>{props.def.title}</a></li>;
}

function SignIn(props: { error?: string; onToken(t: string): void; retry?: () => void }) {
  const [t, setT] = useState('');
  return (
    <>
      <h1>Sign in</h1>
      <p class="intro">Sign in with a bearer token Warden issued (a user's token or a service account's). It is kept in this tab only.</p>
      {props.error && <Problem error={new Error(props.error)} retry={props.retry} />}
      <form class="signin" onSubmit={(e) => { e.preventDefault(); if (t.trim()) props.onToken(t.trim()); }}>
        <Field label="Token" type="password" value={t} onInput={setT} required />
        <button type="submit">Sign in</button>
      </form>
    </>
  );
}
