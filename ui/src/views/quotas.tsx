// Quotas: usage against hard limits per namespace (ResourceQuota) and per tenant, bars coloured at 90% and 100%.
import type { ViewProps } from '../app.tsx';
import { Loading, Page, Problem } from '../parts.tsx';
import { useLoad, useSession } from '../session.ts';

const suffixes: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity as a number (NaN when it is not one). */
export function quantity(q: string | number | undefined): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+)(?:[eE]([+-]?\d+))?([a-zA-Z]*)$/.exec((q ?? '').trim());
  if (!m || !(m[3] in suffixes)) return NaN;
  return Number(m[1]) * 10 ** Number(m[2] ?? 0) * suffixes[m[3]];
}

type List = Record<string, string> | undefined;

function Bars({ label, hard, used }: { label: string; hard: List; used: List }) {
  const names = Object.keys(hard ?? {}).sort();
  if (!names.length) return <p>No hard limits.</p>;
  return (
    <table aria-label={label} class="bars">
      <thead><tr><th scope="col">Resource</th><th scope="col">Used</th><th scope="col">Hard</th><th scope="col">Usage</th></tr></thead>
      <tbody>
        {names.map((n) => {
          const h = quantity(hard?.[n]);
          const u = quantity(used?.[n] ?? '0');
          const pct = h > 0 ? (u / h) * 100 : u > 0 ? 100 : 0;
          const level = pct >= 100 ? 'full' : pct >= 90 ? 'near' : 'ok';
          const shown = Number.isFinite(pct) ? Math.round(pct) : 0;
          return (
            <tr key={n} class={`level-${level}`}>
              <th scope="row">{n}</th>
              <td>{used?.[n] ?? '0'}</td>
              <td>{hard?.[n]}</td>
              <td>
                <div class="bar" role="meter" aria-label={`${n} usage`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.min(shown, 100)} aria-valuetext={`${shown}%${level === 'full' ? ', at the limit' : level === 'near' ? ', near the limit' : ''}`}>
                  <span style={{ width: `${Math.min(shown, 100)}%` }} />
                </div>
                <span class="pct">{shown}%{level === 'full' ? ' (full)' : level === 'near' ? ' (near)' : ''}</span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function QuotasView(_: ViewProps) {
  const { warden } = useSession();
  const quotas = useLoad((signal) => warden.resourceQuotas.all({ signal }), []);
  const tenants = useLoad(async (signal) => {
    try {
      return await warden.tenants.all({ signal });
    } catch (e) {
      if ((e as { status?: number }).status === 403) return undefined;
      throw e;
    }
  }, []);
  return (
    <Page title="Quotas" intro="Usage against hard limits, in the namespaces and tenants you may see; a bar turns amber at 90% and red at 100%.">
        <h2>Per namespace</h2>
        <Loading when={quotas.loading && !quotas.data} />
        <Problem error={quotas.error} retry={quotas.reload} />
        {quotas.data && quotas.data.length === 0 && <p>No ResourceQuota.</p>}
        {quotas.data?.map((q) => (
          <section key={`${q.metadata?.namespace}/${q.metadata?.name}`} class="card" aria-label={`Quota ${q.metadata?.namespace}/${q.metadata?.name}`}>
            <h3>{q.metadata?.namespace} / {q.metadata?.name}</h3>
            <Bars label={`Usage of ${q.metadata?.namespace}/${q.metadata?.name}`} hard={(q.status?.hard ?? q.spec?.hard) as List} used={q.status?.used as List} />
          </section>
        ))}
        <h2>Per tenant</h2>
        <Loading when={tenants.loading && !tenants.data} />
        <Problem error={tenants.error} retry={tenants.reload} />
        {!tenants.loading && !tenants.error && tenants.data === undefined && <p>You may not list tenants.</p>}
        {tenants.data && tenants.data.filter((t) => t.spec?.resourceQuota?.hard).length === 0 && <p>No tenant has a quota.</p>}
        {tenants.data?.filter((t) => t.spec?.resourceQuota?.hard).map((t) => (
          <section key={t.metadata?.name} class="card" aria-label={`Tenant ${t.metadata?.name}`}>
            <h3>Tenant {t.metadata?.name} <small>({(t.status?.namespaces ?? []).join(', ') || 'no namespaces'})</small></h3>
            <Bars label={`Usage of tenant ${t.metadata?.name}`} hard={t.spec?.resourceQuota?.hard as List} used={t.status?.used as List} />
          </section>
        ))}
    </Page>
  );
}
