/**
 * The networking.warden.dev/v1 routes (traffic and reachability reviews) and
 * their discovery entries. Both are cluster-scoped, create-only resources:
 * the request authorizer checks verb `create` on `trafficreviews` or
 * `reachabilityreviews` in group networking.warden.dev before a handler runs.
 */
import type { DiscoveryGroup } from '../discovery.ts';
import type { AppDeps } from '../context.ts';
import type { RouteDef } from '../routes.ts';
import { createReachabilityReview } from './reachability-review.ts';
import { reviewGroup, reviewVersion } from './review-body.ts';
import { createTrafficReview } from './traffic-review.ts';

const base = `/apis/${reviewGroup}/${reviewVersion}`;

export const networkDiscovery: DiscoveryGroup = {
  group: reviewGroup, version: reviewVersion, resources: [
    { name: 'trafficreviews', singularName: 'trafficreview', namespaced: false, kind: 'TrafficReview', verbs: ['create'] },
    { name: 'reachabilityreviews', singularName: 'reachabilityreview', namespaced: false, kind: 'ReachabilityReview', verbs: ['create'] },
  ],
};

export function networkRoutes(deps: AppDeps): RouteDef[] {
  return [
    { method: 'post', path: `${base}/trafficreviews`, handler: createTrafficReview(deps) },
    { method: 'post', path: `${base}/reachabilityreviews`, handler: createReachabilityReview(deps) },
  ];
}
