/**
 * Network: which pods of a namespace may reach which (ReachabilityReview)
 * under its NetworkPolicies. Warden stores no pods, so the pods are the
 * label sets the namespace's policies select on, a pod none selects, and
 * the pods of other namespaces its policies name; each cell opens the
 * TrafficReview of that connection.
 */
import { useState } from 'preact/hooks';
import type { ViewProps } from '../app.tsx';
import { Field, Gate, href, Loading, Page, Problem } from '../parts.tsx';
import { useLoad, useSession } from '../session.ts';

type Labels = Record<string, string>;
const show = (l: Labels) => Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',') || '(other pods)';

export function NetworkView({ query }: ViewProps) {
  const { navigate } = useSession();
  const initial = { namespace: query.get('namespace') ?? '', port: query.get('port') ?? '80' };
  const [f, setF] = useState(initial);
  return (
    <Page title="Network" intro="Which pods of a namespace may connect to which on a port, under its NetworkPolicies.">
      <Gate need={{ verb: 'create', resource: 'reachabilityreviews', group: 'networking.warden.dev' }} what="review reachability">
        <form class="grid" onSubmit={(e) => { e.preventDefault(); navigate(href('network', f)); }}>
          <Field label="Namespace" value={f.namespace} onInput={(v) => setF({ ...f, namespace: v })} required />
          <Field label="Port" value={f.port} onInput={(v) => setF({ ...f, port: v })} />
          <div class="actions"><button type="submit">Show</button></div>
        </form>
        {initial.namespace ? <Reach {...initial} /> : <p>Pick a namespace.</p>}
      </Gate>
    </Page>
  );
}

type Pod = { namespace: string; labels: Labels };
const podName = (p: Pod, here: string) => `${p.namespace === here ? '' : `${p.namespace}: `}${show(p.labels)}`;

function Reach(q: { namespace: string; port: string }) {
  const { warden } = useSession();
  const [picked, setPicked] = useState<[number, number] | undefined>();
  const port = /^\d+$/.test(q.port) ? Number(q.port) : q.port;
  const { data, error, loading, reload } = useLoad(async (signal) => {
    await warden.namespaces.get(q.namespace, { signal });
    const policies = await warden.networkPolicies.all({ namespace: q.namespace, signal });
    const pods = new Map<string, Pod>();
    const add = (namespace: string, l: Labels | undefined) => { const labels = l ?? {}; pods.set(JSON.stringify([namespace, Object.entries(labels).sort()]), { namespace, labels }); };
    for (const p of policies) {
      add(q.namespace, p.spec?.podSelector?.matchLabels as Labels | undefined);
      for (const r of [...(p.spec?.ingress ?? []).flatMap((i) => i.from ?? []), ...(p.spec?.egress ?? []).flatMap((e) => e.to ?? [])]) {
        // A peer in a namespace named by its metadata.name label is a pod there; other selectors have no one pod to show.
        const other = (r.namespaceSelector?.matchLabels as Labels | undefined)?.['kubernetes.io/metadata.name'];
        if (r.podSelector && !r.namespaceSelector) add(q.namespace, r.podSelector.matchLabels as Labels | undefined);
        else if (other) add(other, r.podSelector?.matchLabels as Labels | undefined);
      }
    }
    add(q.namespace, {});
    const list = [...pods.values()].slice(0, 30);
    const status = await warden.reachability({ endpoints: list, port }, { signal });
    return { pods: list, status, policies: policies.length };
  }, [q.namespace, q.port]);
  return (
    <section aria-label="Reachability">
      <Loading when={loading && !data} />
      <Problem error={error} retry={reload} />
      {data && (
        <>
          <p>{data.policies} NetworkPolic{data.policies === 1 ? 'y' : 'ies'} in {q.namespace}; {data.status.allowedCount ?? 0} of {data.pods.length ** 2} connections allowed on port {q.port}. Open a cell for the policies that decide it.</p>
          <div class="scroll">
            <table class="matrix" aria-label={`Reachability in ${q.namespace}`}>
              <thead><tr><th scope="col">From \ To</th>{data.pods.map((p, j) => <th key={j} scope="col">{podName(p, q.namespace)}</th>)}</tr></thead>
              <tbody>
                {data.pods.map((src, i) => (
                  <tr key={i}>
                    <th scope="row">{podName(src, q.namespace)}</th>
                    {data.pods.map((dst, j) => {
                      const ok = !!data.status.allowed?.[i]?.[j];
                      return (
                        <td key={j} class={ok ? 'cell-yes' : 'cell-no'}>
                          <button type="button" class="cell" aria-pressed={picked?.[0] === i && picked?.[1] === j}
                            aria-label={`From ${podName(src, q.namespace)} to ${podName(dst, q.namespace)}: ${ok ? 'yes' : 'no'}`}
                            onClick={() => setPicked([i, j])}>{ok ? 'yes' : 'no'}</button>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {picked && <Connection source={data.pods[picked[0]]} destination={data.pods[picked[1]]} port={port} here={q.namespace} />}
          <p><a href={href('history', { kind: 'NetworkPolicy', cnamespace: q.namespace })}>Changes to this namespace's policies</a></p>
        </>
      )}
    </section>
  );
}

/** One connection, explained by a TrafficReview: which policies isolate or admit each side. */
function Connection(props: { source: Pod; destination: Pod; port: number | string; here: string }) {
  const { warden } = useSession();
  const { data, error, loading } = useLoad((signal) => warden.traffic({ source: props.source, destination: props.destination, port: props.port }, { signal }),
    [JSON.stringify(props.source), JSON.stringify(props.destination), props.port]);
  return (
    <section class="decision" aria-label="Connection" aria-live="polite">
      <h2>From {podName(props.source, props.here)} to {podName(props.destination, props.here)}</h2>
      <Loading when={loading && !data} />
      <Problem error={error} />
      {data && (
        <>
          <p class="verdict"><strong>{data.allowed ? 'Allowed' : 'Denied'}</strong></p>
          {data.reason && <p class="reason">{data.reason}</p>}
        </>
      )}
    </section>
  );
}
