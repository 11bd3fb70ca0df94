/**
 * POST /apis/networking.warden.dev/v1/reachabilityreviews: for endpoints
 * e[0..n) and one port and protocol, whether e[i] may connect to e[j], with
 * the egress and ingress sides apart, for dashboards. Each cell means what a
 * TrafficReview of (e[i], e[j]) answers. Nothing is written; 201 with the
 * review, its spec echoed, the matrix in status and the revision it reflects.
 */
import type { Request, Response } from 'express';
import { compileNetworkState } from '../../engine/network/compile.ts';
import { resolveConnection, viewEndpoint } from '../../engine/network/match.ts';
import { reachabilityMatrix } from '../../engine/network/matrix.ts';
import type { AppDeps } from '../context.ts';
import { contextOf } from '../context.ts';
import { send } from '../respond.ts';
import type { Schemas } from '../schema-types.ts';
import { invalid } from '../status.ts';
import { reviewScopeOf, toEndpoint, toProtocol, toWhatIf } from './question.ts';
import { answerMetadata, reviewApiVersion, reviewGroup } from './review-body.ts';
import { decodeReview } from '../reviews/review-common.ts';
import { isDryRun } from '../resources/decode.ts';
import { validateReachabilityReviewSpec } from './review-validation.ts';
import { networkStateOf } from './state.ts';

type ReachabilityReviewBody = Schemas['ReachabilityReview'];

export function createReachabilityReview(deps: AppDeps) {
  return (req: Request, res: Response) => {
    isDryRun(req.query as Record<string, unknown>); // checked for a valid value; a review never writes
    const review = decodeReview<ReachabilityReviewBody['spec']>(req, contextOf(res), reviewApiVersion, 'ReachabilityReview') as unknown as ReachabilityReviewBody;
    const snapshot = deps.snapshots.current;
    const errs = validateReachabilityReviewSpec(review.spec, reviewScopeOf(snapshot));
    if (errs.length) throw invalid('ReachabilityReview', reviewGroup, review.metadata?.name as string | undefined, errs);
    const spec = review.spec!;
    const endpoints = spec.endpoints!.map(toEndpoint);
    const protocol = toProtocol(spec.protocol);
    // Compiled once here (what-if included) and shared by the matrix and the port resolution.
    const state = compileNetworkState(networkStateOf(snapshot), toWhatIf(spec.whatIf));
    const matrix = reachabilityMatrix(state, { endpoints, port: spec.port!, protocol });
    const status: Schemas['ReachabilityReviewStatus'] = matrix;
    if (typeof spec.port === 'string') {
      status.destinationPorts = endpoints.map((e) => resolveConnection(viewEndpoint(state, e), spec.port!, protocol).port ?? null);
    }
    const body: ReachabilityReviewBody = {
      apiVersion: reviewApiVersion,
      kind: 'ReachabilityReview',
      metadata: answerMetadata(review.metadata, snapshot.revision),
      spec,
      status,
    };
    send(req, res, 201, body, snapshot.revision);
  };
}
