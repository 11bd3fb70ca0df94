/**
 * The one-line explanations of traffic decisions. Wording is stable: callers
 * and tests may match on it.
 */
import type { Connection, EndpointView } from './match.ts';
import type { DirectionVerdict, PolicyVerdict } from './types.ts';

export function describeEndpoint(v: EndpointView): string {
  const e = v.endpoint;
  if (v.namespace === undefined) return `outside address ${e.ip}`;
  const name = (e as { name?: string }).name;
  if (name !== undefined) return `pod ${v.namespace}/${name}`;
  return e.ip ? `pod ${e.ip} in namespace ${v.namespace}` : `a pod in namespace ${v.namespace}`;
}

export function describeConnection(c: Connection): string {
  if (c.portName === undefined) return `${c.protocol}/${c.port}`;
  if (c.port === undefined) return `${c.protocol}/${c.portName} (not a ${c.protocol} container port of the destination)`;
  return `${c.protocol}/${c.port} (port ${c.portName})`;
}

function describePolicy(p: PolicyVerdict): string {
  return `${p.tenantDefault ? 'tenant default ' : ''}NetworkPolicy ${p.namespace}/${p.name}`;
}

/** What one direction says, e.g. `ingress allowed by NetworkPolicy y/web rule spec.ingress[0]`. */
export function describeDirection(
  direction: 'ingress' | 'egress',
  verdict: DirectionVerdict,
  pod: EndpointView,
): string {
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  if (pod.namespace === undefined) return `${direction} not restricted (${describeEndpoint(pod)})`;
  if (!verdict.isolated) return `${direction} not isolated (no NetworkPolicy selects ${describeEndpoint(pod)} for ${type})`;
  const deciding = verdict.policies.find((p) => p.allowed);
  if (deciding) {
    const others = verdict.policies.filter((p) => p.allowed).length - 1;
    const more = others > 0 ? ` (and ${others} more ${others === 1 ? 'policy' : 'policies'})` : '';
    return `${direction} allowed by ${describePolicy(deciding)} rule spec.${direction}[${deciding.rules[0]}]${more}`;
  }
  const names = verdict.policies.map(describePolicy).join(', ');
  return `${direction} denied: no rule of the policies selecting ${describeEndpoint(pod)} for ${type} allows it (${names})`;
}

/** The review's reason line. */
export function describeDecision(
  allowed: boolean,
  source: EndpointView,
  destination: EndpointView,
  conn: Connection,
  egress: DirectionVerdict,
  ingress: DirectionVerdict,
  samePod: boolean,
): string {
  const traffic = `${describeConnection(conn)} from ${describeEndpoint(source)} to ${describeEndpoint(destination)}`;
  if (samePod) {
    return `allowed: ${traffic}: source and destination are the same pod, and a pod can always reach itself whatever its NetworkPolicies say`;
  }
  const sides = [describeDirection('egress', egress, source), describeDirection('ingress', ingress, destination)];
  // On a denial, the denying side comes first.
  if (!allowed && egress.allowed) sides.reverse();
  return `${allowed ? 'allowed' : 'denied'}: ${traffic}; ${sides.join('; ')}`;
}
