/**
 * Tiny builders and a client for the network review suites: namespaces and
 * NetworkPolicies stored through the API, pods and outside addresses as
 * review endpoints, and the (allowed, ingress, egress) triple an answer gives.
 */
import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import type { TestWarden } from '../support/warden.ts';
import type { Obj } from '../api/builders.ts';
import { api, ok, type Api } from '../api/client.ts';
import { immortalNamespaces } from '../../api/resources/system-namespaces.ts';

export const reviews = '/apis/networking.warden.dev/v1';
export const reviewApiVersion = 'networking.warden.dev/v1';
export const policiesOf = (ns: string) => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`;

export const namespace = (name: string, labels: Record<string, string> = {}): Obj =>
  ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

export const netpol = (namespace: string, name: string, spec: Obj): Obj =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec });

export const matchLabels = (labels: Record<string, string>) => ({ matchLabels: labels });

export const pod = (namespace: string, name: string, labels: Record<string, string> = {}, extra: Obj = {}): Obj =>
  ({ namespace, name, labels, ...extra });
export const outside = (ip: string): Obj => ({ ip });
export const tcp = (containerPort: number, name?: string) => ({ ...(name ? { name } : {}), containerPort, protocol: 'TCP' });
export const udp = (containerPort: number, name?: string) => ({ ...(name ? { name } : {}), containerPort, protocol: 'UDP' });

export const trafficReview = (spec: Obj): Obj => ({ apiVersion: reviewApiVersion, kind: 'TrafficReview', spec });
export const reachabilityReview = (spec: Obj): Obj => ({ apiVersion: reviewApiVersion, kind: 'ReachabilityReview', spec });

/** [allowed, ingress allowed, egress allowed] */
export type Triple = [boolean, boolean, boolean];
export const ALLOW: Triple = [true, true, true];
export const DENY_IN: Triple = [false, false, true];
export const DENY_OUT: Triple = [false, true, false];
export const DENY_BOTH: Triple = [false, false, false];

export const tripleOf = (status: Obj): Triple => [status.allowed, status.ingress.allowed, status.egress.allowed];

export interface NetworkApi extends Api {
  /** Deletes every namespace (and so every policy), then applies `objects` in one bulk apply. */
  replaceState(objects: Obj[]): Promise<void>;
  /** POSTs a TrafficReview with this spec. */
  review(spec: Obj, query?: string): Promise<Response>;
  /** POSTs a ReachabilityReview with this spec. */
  matrix(spec: Obj, query?: string): Promise<Response>;
  /** The triple a TrafficReview answers (asserting 201). */
  decide(source: Obj, destination: Obj, port: number | string, protocol?: string, whatIf?: Obj): Promise<Triple>;
}

export function networkApi(w: TestWarden): NetworkApi {
  const a = api(w);
  return {
    ...a,
    async replaceState(objects) {
      const list = ok(await a.get('/api/v1/namespaces'));
      for (const ns of list.items as Obj[]) {
        const name = ns.metadata.name as string;
        // kube-apiserver's own namespaces cannot be deleted: empty them instead.
        if (immortalNamespaces.has(name)) ok(await a.delete(`/apis/networking.k8s.io/v1/namespaces/${name}/networkpolicies`));
        else ok(await a.delete(`/api/v1/namespaces/${name}`));
      }
      if (objects.length) ok(await a.post('/apis/warden.dev/v1/apply?fieldManager=tests', { apiVersion: 'v1', kind: 'List', items: objects }));
    },
    review: (spec, query = '') => a.post(`${reviews}/trafficreviews${query}`, trafficReview(spec)),
    matrix: (spec, query = '') => a.post(`${reviews}/reachabilityreviews${query}`, reachabilityReview(spec)),
    async decide(source, destination, port, protocol, whatIf) {
      const res = await a.post(`${reviews}/trafficreviews`, trafficReview({ source, destination, port, protocol, whatIf }));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return tripleOf(res.body.status);
    },
  };
}
