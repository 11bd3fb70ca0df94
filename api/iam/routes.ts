/**
 * The identity routes beyond the generic CRUD of Users and Tokens: token
 * issuance replaces the generic create of Tokens, and service accounts get
 * kube's `token` subresource, and the subresource's discovery entry.
 */
import type { Request, Response } from 'express';
import type { AppDeps } from '../context.ts';
import type { DiscoveryGroup } from '../discovery.ts';
import type { ApiKind } from '../resources/registry.ts';
import { issueToken } from './issue-token.ts';
import { tokenRequest } from './token-request.ts';

type Handler = (req: Request, res: Response) => unknown;

/** Create handlers that replace the generic one, by kind. */
export const createHandlers: Partial<Record<string, (deps: AppDeps, k: ApiKind) => Handler>> = {
  Token: issueToken,
};

export const iamDiscovery: DiscoveryGroup = {
  group: '', version: 'v1', resources: [
    { name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] },
  ],
};

export function iamRoutes(deps: AppDeps) {
  return [
    { method: 'post' as const, path: '/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token', handler: tokenRequest(deps) },
  ];
}
