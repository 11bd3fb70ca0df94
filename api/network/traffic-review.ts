/**
 * POST /apis/networking.warden.dev/v1/trafficreviews: may the source open a
 * connection to the destination on the port, and which policy and rule
 * decide. Answered from the snapshot in force (plus the what-if, applied to
 * a copy); nothing is written but the decision log entry. 201 with the
 * review, its spec echoed, the decision in status and the revision it
 * reflects.
 */
import type { Request, Response } from 'express';
import { reviewTraffic } from '../../engine/network/review.ts';
import { attributesOf } from '../authz.ts';
import type { AppDeps } from '../context.ts';
import { contextOf } from '../context.ts';
import { send } from '../respond.ts';
import type { Schemas } from '../schema-types.ts';
import { recordDecision } from '../reviews/record.ts';
import { invalid } from '../status.ts';
import { reviewScopeOf, toEndpoint, toProtocol, toWhatIf } from './question.ts';
import { answerMetadata, reviewApiVersion, reviewGroup } from './review-body.ts';
import { decodeReview } from '../reviews/review-common.ts';
import { isDryRun } from '../resources/decode.ts';
import { validateTrafficReviewSpec } from './review-validation.ts';
import { networkStateOf } from './state.ts';

type TrafficReviewBody = Schemas['TrafficReview'];

export function createTrafficReview(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const ctx = contextOf(res);
    isDryRun(req.query as Record<string, unknown>); // checked for a valid value; a review never writes
    const review = decodeReview<TrafficReviewBody['spec']>(req, ctx, reviewApiVersion, 'TrafficReview') as unknown as TrafficReviewBody;
    const snapshot = deps.snapshots.current;
    const errs = validateTrafficReviewSpec(review.spec, reviewScopeOf(snapshot));
    if (errs.length) throw invalid('TrafficReview', reviewGroup, review.metadata?.name as string | undefined, errs);
    const spec = review.spec!;
    const status = reviewTraffic(networkStateOf(snapshot), {
      source: toEndpoint(spec.source!),
      destination: toEndpoint(spec.destination!),
      port: spec.port!,
      protocol: toProtocol(spec.protocol),
    }, toWhatIf(spec.whatIf));
    // Recorded as the caller's request, filed under the namespace of the destination pod (else the source's).
    const namespace = spec.destination!.namespace ?? spec.source!.namespace ?? '';
    recordDecision(deps, ctx, 'TrafficReview', { ...attributesOf(ctx, ctx.info), namespace }, spec, status, snapshot.revision);
    const body: TrafficReviewBody = {
      apiVersion: reviewApiVersion,
      kind: 'TrafficReview',
      metadata: answerMetadata(review.metadata, snapshot.revision),
      spec,
      status,
    };
    send(req, res, 201, body, snapshot.revision);
  };
}
