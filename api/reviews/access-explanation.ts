/**
 * SubjectAccessExplanation (authorization.warden.dev/v1): a
 * SubjectAccessReview's question answered with its reasons as data, for
 * dashboards and `warden explain`. An allow names the binding, role and
 * rule that grant it (or the privileged group); a denial lists the
 * bindings that applied to the subject, their roles' rules, and what no
 * rule matched. The caller needs `create` on this resource; bindings it may
 * not `get` are counted in `hidden` and never named, and a role's rules are
 * shown only when it may `get` the role, so an explanation reveals no more
 * than the caller could read for itself.
 */
import type { Request, Response } from 'express';
import { describeRequest, type BindingRef, type Decision, type RoleRefWithNamespace } from '../../engine/rbac/decision.ts';
import type { Attributes, PolicyRule, UserInfo } from '../../engine/rbac/types.ts';
import { reasonFor } from '../authz.ts';
import { contextOf, type AppDeps } from '../context.ts';
import { recordDecision } from './record.ts';
import {
  attributesOf, decodeReview, refuseInvalid, sendReview, subjectOf, validateEmptyMetadata, validateSubjectSpec, type AccessSpec,
} from './review-common.ts';

const group = 'authorization.warden.dev';
const rbacGroup = 'rbac.authorization.k8s.io';

interface ExplainedBinding { kind: string; namespace?: string; name: string }

export interface ExplanationStatus {
  allowed: boolean;
  reason?: string;
  grantedBy?: { group: string } | { binding: ExplainedBinding; role: RoleRefWithNamespace; rule: PolicyRule; ruleIndex: number; subject: unknown };
  considered?: { binding: ExplainedBinding; role: RoleRefWithNamespace; roleFound: boolean; rules?: PolicyRule[] }[];
  hidden: number;
  missing?: string;
}

function may(deps: AppDeps, reader: UserInfo, resource: string, namespace: string | undefined, name: string): boolean {
  return deps.authorizer.authorize({
    user: reader, verb: 'get', isResourceRequest: true, namespace: namespace ?? '', apiGroup: rbacGroup, apiVersion: 'v1',
    resource, subresource: '', name, path: '',
  }).allowed;
}

const mayReadBinding = (deps: AppDeps, reader: UserInfo, b: BindingRef) =>
  may(deps, reader, b.kind === 'RoleBinding' ? 'rolebindings' : 'clusterrolebindings', b.namespace, b.name);

const bindingOf = (b: BindingRef): ExplainedBinding => ({ kind: b.kind, ...(b.namespace ? { namespace: b.namespace } : {}), name: b.name });

/** The rules of a role as the snapshot holds them (aggregated roles with their aggregate), if the reader may get it. */
function rulesOf(deps: AppDeps, reader: UserInfo, role: RoleRefWithNamespace): PolicyRule[] | undefined {
  const view = deps.snapshots.current.rbac;
  if (role.kind === 'Role') {
    if (!role.namespace || !may(deps, reader, 'roles', role.namespace, role.name)) return undefined;
    return [...(view.role(role.namespace, role.name)?.rules ?? [])];
  }
  if (!may(deps, reader, 'clusterroles', undefined, role.name)) return undefined;
  return [...(view.clusterRole(role.name)?.rules ?? [])];
}

/** The explanation of decision `d` of `attrs`, as `reader` may be told it. */
export function explain(deps: AppDeps, reader: UserInfo, attrs: Attributes, d: Decision): ExplanationStatus {
  const status: ExplanationStatus = { allowed: d.allowed, hidden: 0 };
  const reason = reasonFor(deps, reader, attrs, d);
  if (reason) status.reason = reason;
  const by = d.decidedBy;
  if (d.allowed && by) {
    if (by.authorizer === 'privileged-group') status.grantedBy = { group: by.group };
    else if (mayReadBinding(deps, reader, by.binding)) {
      status.grantedBy = { binding: bindingOf(by.binding), role: by.role, rule: by.rule, ruleIndex: by.ruleIndex, subject: by.subject };
    } else {
      status.hidden = 1;
      status.reason = 'RBAC: allowed by a binding the reader may not see';
    }
    return status;
  }
  if (d.allowed) return status;
  status.considered = [];
  for (const c of d.considered ?? []) {
    if (!mayReadBinding(deps, reader, c.binding)) {
      status.hidden++;
      continue;
    }
    const rules = c.roleFound ? rulesOf(deps, reader, c.role) : undefined;
    status.considered.push({ binding: bindingOf(c.binding), role: c.role, roleFound: c.roleFound, ...(rules ? { rules } : {}) });
  }
  status.missing = `a rule allowing ${describeRequest(attrs)}`;
  return status;
}

export function subjectAccessExplanation(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const ctx = contextOf(res);
    const body = decodeReview<AccessSpec>(req, ctx, `${group}/v1`, 'SubjectAccessExplanation');
    refuseInvalid('SubjectAccessExplanation', group, [...validateSubjectSpec(body.spec, 'spec'), ...validateEmptyMetadata(body.metadata)]);
    const attrs = attributesOf(subjectOf(body.spec), body.spec);
    const d = deps.authorizer.authorize(attrs);
    const status = explain(deps, ctx.user, attrs, d);
    recordDecision(deps, ctx, 'SubjectAccessExplanation', attrs, body.spec, status, d.revision);
    sendReview(req, res, 201, body, status, d.revision);
  };
}
