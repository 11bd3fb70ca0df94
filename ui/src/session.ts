/**
 * The signed-in session: the token (sessionStorage), the SDK client made
 * with it, who the server says the caller is, and the caller's own
 * permissions (SelfSubjectAccessReview, asked once per session and
 * question) that decide which actions the page shows.
 */
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { Warden, WardenError, type Decision } from '@warden/sdk';

export const tokenKey = 'warden.token';

export interface Identity {
  username: string;
  groups: string[];
}

export interface Session {
  warden: Warden;
  me: Identity;
  signOut(): void;
  navigate(href: string): void;
  /** The newest policy revision seen; views that follow it reload when it moves (0 when live updates are off). */
  revision: number;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('no session');
  return s;
}

export function client(token: string): Warden {
  return new Warden({ baseUrl: location.origin, token, timeoutMs: 20_000, retries: 1 });
}

export interface SelfQuestion {
  verb: string;
  resource: string;
  group?: string;
  namespace?: string;
  subresource?: string;
}

const asked = new WeakMap<Warden, Map<string, Promise<Decision>>>();

/** May the caller do this? One SelfSubjectAccessReview per question and session. */
export function selfCan(warden: Warden, q: SelfQuestion): Promise<Decision> {
  let m = asked.get(warden);
  if (!m) asked.set(warden, (m = new Map()));
  const key = JSON.stringify(q);
  let p = m.get(key);
  if (!p) {
    p = warden.selfCan(q);
    p.catch(() => m!.delete(key));
    m.set(key, p);
  }
  return p;
}

/** The decision on a question of the caller's own: undefined while asking; a refused question counts as denied. */
export function useSelfCan(q: SelfQuestion | undefined): Decision | undefined {
  const { warden } = useSession();
  const key = JSON.stringify(q ?? null);
  const [d, setD] = useState<{ key: string; d: Decision } | undefined>();
  useEffect(() => {
    if (!q) return;
    let live = true;
    selfCan(warden, q).then(
      (x) => live && setD({ key, d: x }),
      (e) => live && setD({ key, d: { allowed: false, denied: false, reason: message(e), revision: 0 } }),
    );
    return () => { live = false; };
  }, [warden, key]);
  return d?.key === key ? d.d : undefined;
}

/** A sentence for a failed call: the Status message, with what the status means. */
export function message(e: unknown): string {
  if (e instanceof WardenError) {
    if (e.status === 0) return `Warden did not answer: ${e.message}`;
    if (e.status === 403) return `Refused (403 Forbidden): ${e.message}`;
    if (e.status === 401) return `Not signed in (401 Unauthorized): ${e.message}`;
    const causes = e.causes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.message ?? ''}`).filter(Boolean);
    return `${e.reason} (${e.status}): ${e.message}${causes.length && !causes.every((c) => e.message.includes(c)) ? ` (${causes.join('; ')})` : ''}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Runs `load` when `deps` change; the result, the error and a way to run it again. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], opts: { live?: boolean } = {}): { data?: T; error?: unknown; loading: boolean; reload(): void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  // Live: load again when the policy revision moves (the last answer stays shown meanwhile).
  const revision = useContext(SessionContext)?.revision ?? 0;
  const live = opts.live !== false ? revision : 0;
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    load(ac.signal).then(
      (data) => !ac.signal.aborted && setState({ data, loading: false }),
      (error) => !ac.signal.aborted && setState({ error, loading: false }),
    );
    return () => ac.abort();
  }, [...deps, n, live]);
  return { ...state, reload: () => setN((x) => x + 1) };
}

/** The first `n` items of an async iterable (then stops it). */
export async function take<T>(it: AsyncIterable<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  if (n <= 0) return out;
  for await (const x of it) {
    out.push(x);
    if (out.length >= n) break;
  }
  return out;
}

/**
 * The current policy revision, asked every `everyMs` while the tab is
 * visible: a SelfSubjectRulesReview (every signed-in user may ask it, and
 * it is not written to the decision log) answers with X-Warden-Revision.
 */
export function useRevision(warden: Warden | undefined, on: boolean, everyMs = 3000): number {
  const [revision, setRevision] = useState(0);
  useEffect(() => {
    if (!warden || !on) return;
    let live = true;
    const ac = new AbortController();
    const ask = async () => {
      if (document.visibilityState !== 'visible') return;
      try {
        const { response } = await warden.client.POST('/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
          body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } }, signal: ac.signal,
        });
        const r = Warden.revisionOf(response);
        if (live && r > 0) setRevision((old) => (r > old ? r : old));
      } catch {
        // A missed poll is retried on the next tick; failing calls show in the views.
      }
    };
    void ask();
    const t = setInterval(ask, everyMs);
    return () => { live = false; ac.abort(); clearInterval(t); };
  }, [warden, on]);
  return on ? revision : 0;
}
