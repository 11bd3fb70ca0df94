/**
 * @warden/sdk: a typed client for Warden over `openapi.yaml`, for Node 20+
 * and browsers.
 */
export { Warden, type WardenOptions, type KubeconfigOptions, type ApplyOptions } from './client.js';
export { WardenError, type Status, type StatusCause } from './errors.js';
export type { AccessAttributes, Decision, Explanation, Grantee, RBACChange, TrafficEndpoint, TrafficQuery, WhatIfAnswer, WhatIfResult, WhoCanQuery } from './decisions.js';
export type { ChangeFilter, ChangeRecord, DecisionFilter, DecisionRecord } from './history.js';
export { kinds, patchContentTypes, ResourceClient, type KindName, type KindObjects, type ListOptions, type PatchOptions, type PatchType, type WriteOptions } from './resources.js';
export type { WatchEvent, WatchEventType, WatchOptions } from './watch.js';
export { operationMethods } from './coverage.js';
export type { FetchLike } from './transport.js';
export type { components, paths, operations } from './generated/openapi.js';
