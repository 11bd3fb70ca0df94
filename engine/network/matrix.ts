/**
 * Reachability matrix: for endpoints e[0..n) and one port/protocol, whether
 * e[i] may connect to e[j], with the egress and ingress sides apart. Cell
 * semantics are exactly reviewTraffic's (same predicates).
 *
 * Work is done once per pod and once per rule, not per cell: each pod's
 * selecting policies are found once; each rule's peers and ports are turned
 * into bitsets over the endpoints once; a row (egress) or column (ingress)
 * is the OR of its rules' bitsets.
 */
import { compileNetworkState, type CompiledNetworkState, type CompiledRule } from './compile.ts';
import {
  isSamePod, peersMatch, portsMatch, resolveConnection, selectingPolicies, viewEndpoint,
  type Connection, type EndpointView,
} from './match.ts';
import type { Endpoint, NetworkPolicyState, Protocol, WhatIf } from './types.ts';

export interface MatrixRequest {
  endpoints: Endpoint[];
  /** A number, or a container port name resolved on each destination pod. */
  port: number | string;
  protocol?: Protocol;
}

export interface ReachabilityMatrix {
  size: number;
  /** allowed[i][j]: e[i] may connect to e[j] (both sides allow, or same pod). */
  allowed: boolean[][];
  /** egress[i][j]: e[i]'s egress admits the connection (true for an outside source). */
  egress: boolean[][];
  /** ingress[i][j]: e[j]'s ingress admits the connection (true for an outside destination). */
  ingress: boolean[][];
  /** Number of allowed cells. */
  allowedCount: number;
}

type Bits = Uint32Array;

const newBits = (n: number): Bits => new Uint32Array((n + 31) >>> 5);
const has = (b: Bits, i: number): boolean => (b[i >>> 5] & (1 << (i & 31))) !== 0;
const set = (b: Bits, i: number): void => {
  b[i >>> 5] |= 1 << (i & 31);
};
function orInto(target: Bits, src: Bits): void {
  for (let w = 0; w < target.length; w++) target[w] |= src[w];
}

export function reachabilityMatrix(
  state: NetworkPolicyState | CompiledNetworkState,
  request: MatrixRequest,
  whatIf?: WhatIf,
): ReachabilityMatrix {
  const compiled = compileNetworkState(state, whatIf);
  const views = request.endpoints.map((e) => viewEndpoint(compiled, e));
  const n = views.length;
  const conns: Connection[] = views.map((v) => resolveConnection(v, request.port, request.protocol));

  // Peer bitsets: which endpoints a rule's peers admit. Keyed by rule object.
  const peerBits = new Map<CompiledRule, Bits>();
  const peersOf = (rule: CompiledRule, ns: string): Bits => {
    let b = peerBits.get(rule);
    if (!b) {
      b = newBits(n);
      for (let k = 0; k < n; k++) if (peersMatch(rule, ns, views[k])) set(b, k);
      peerBits.set(rule, b);
    }
    return b;
  };
  // Port bitsets: for which destinations the rule's ports admit the connection.
  const portBits = new Map<CompiledRule, Bits>();
  const portsOf = (rule: CompiledRule): Bits => {
    let b = portBits.get(rule);
    if (!b) {
      b = newBits(n);
      for (let k = 0; k < n; k++) if (portsMatch(rule, conns[k], views[k])) set(b, k);
      portBits.set(rule, b);
    }
    return b;
  };

  // Egress rows: destinations each source may reach; undefined = not isolated.
  const egressRows: Array<Bits | undefined> = views.map((v) => {
    const selecting = selectingPolicies(compiled, v, 'egress');
    if (selecting.length === 0) return undefined;
    const row = newBits(n);
    for (const p of selecting) {
      for (const rule of p.egress!) {
        const peers = peersOf(rule, p.namespace);
        const ports = portsOf(rule);
        for (let w = 0; w < row.length; w++) row[w] |= peers[w] & ports[w];
      }
    }
    return row;
  });
  // Ingress columns: sources each destination admits; undefined = not isolated.
  const ingressCols: Array<Bits | undefined> = views.map((v, j) => {
    const selecting = selectingPolicies(compiled, v, 'ingress');
    if (selecting.length === 0) return undefined;
    const col = newBits(n);
    for (const p of selecting) {
      for (const rule of p.ingress!) {
        if (has(portsOf(rule), j)) orInto(col, peersOf(rule, p.namespace));
      }
    }
    return col;
  });

  const allowed: boolean[][] = [];
  const egress: boolean[][] = [];
  const ingress: boolean[][] = [];
  let allowedCount = 0;
  for (let i = 0; i < n; i++) {
    const a: boolean[] = new Array(n);
    const e: boolean[] = new Array(n);
    const g: boolean[] = new Array(n);
    const row = egressRows[i];
    for (let j = 0; j < n; j++) {
      const col = ingressCols[j];
      const same = i === j ? views[i].namespace !== undefined : isSamePodCell(views, i, j);
      e[j] = same || row === undefined || has(row, j);
      g[j] = same || col === undefined || has(col, i);
      a[j] = e[j] && g[j];
      if (a[j]) allowedCount++;
    }
    allowed.push(a);
    egress.push(e);
    ingress.push(g);
  }
  return { size: n, allowed, egress, ingress, allowedCount };
}

function isSamePodCell(views: EndpointView[], i: number, j: number): boolean {
  const a = views[i];
  const b = views[j];
  return a.namespace !== undefined && a.namespace === b.namespace && isSamePod(a, b);
}
