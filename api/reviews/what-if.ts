/**
 * RBACChangeReview (authorization.warden.dev/v1), "what if": given RBAC
 * objects to apply and to delete, which subjects gain or lose which
 * permissions, cluster-wide and per namespace, aggregation included.
 * Nothing is written. Objects to apply are validated as a create would
 * validate them (wrong types first, as 400); errors name `spec.apply[i]`.
 */
import type { Request, Response } from 'express';
import type { KubeObject } from '../../engine/meta.ts';
import { whatIf } from '../../engine/rbac/what-if.ts';
import { child, index, invalid, notSupported, type FieldError } from '../../engine/validation/field-error.ts';
import { contextOf, type AppDeps } from '../context.ts';
import { send } from '../respond.ts';
import { kindOf, validateForCreate } from '../resources/registry.ts';
import { badRequest, type StatusCause } from '../status.ts';
import { shapeErrors } from '../object-shape.ts';
import { attributesOf, refuseInvalid, decodeReview, subjectOf, validateSubjectSpec, type AccessSpec } from './review-common.ts';

const rbacKinds = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'];
export const maxChanges = 1000;

interface ChangeSpec {
  apply?: KubeObject[];
  delete?: { kind: string; namespace?: string; name: string }[];
  /** SubjectAccessReview specs answered before and after the change. */
  questions?: AccessSpec[];
}

/** Most questions one review answers. */
export const maxQuestions = 1000;

function validateApply(objects: unknown, errs: FieldError[]): KubeObject[] {
  if (objects === undefined) return [];
  if (!Array.isArray(objects)) {
    errs.push(invalid('spec.apply', objects, 'must be a list of RBAC objects'));
    return [];
  }
  const out: KubeObject[] = [];
  const wrongTypes: StatusCause[] = [];
  objects.forEach((o, i) => {
    const path = index(child('spec', 'apply'), i);
    const k = o && typeof o === 'object' ? kindOf(String((o as KubeObject).apiVersion), String((o as KubeObject).kind)) : undefined;
    if (!k || !rbacKinds.includes(k.kind)) {
      errs.push(notSupported(child(path, 'kind'), (o as KubeObject)?.kind ?? '', rbacKinds));
      return;
    }
    wrongTypes.push(...shapeErrors(k.kind, o, path));
  });
  // Validation assumes the types of the kind's schema: wrong types are refused before it runs.
  if (wrongTypes.length > 0) {
    throw badRequest(`the request does not match the API schema: ${wrongTypes.map((c) => `${c.field}: ${c.message}`).join('; ')}`, wrongTypes);
  }
  objects.forEach((o, i) => {
    const path = index(child('spec', 'apply'), i);
    const k = o && typeof o === 'object' ? kindOf(String((o as KubeObject).apiVersion), String((o as KubeObject).kind)) : undefined;
    if (!k || !rbacKinds.includes(k.kind)) return;
    const obj = k.prepare({ ...(o as KubeObject), metadata: { ...((o as KubeObject).metadata ?? {}) } });
    for (const e of validateForCreate(k, obj)) errs.push({ ...e, field: `${path}.${e.field}` });
    out.push(obj);
  });
  return out;
}

export function rbacChangeReview(deps: AppDeps) {
  return (req: Request, res: Response) => {
    const body = decodeReview<ChangeSpec>(req, contextOf(res), 'authorization.warden.dev/v1', 'RBACChangeReview');
    const errs: FieldError[] = [];
    const apply = validateApply(body.spec.apply, errs);
    const del = body.spec.delete ?? [];
    if (!Array.isArray(del)) errs.push(invalid('spec.delete', del, 'must be a list of {kind, namespace, name}'));
    else {
      del.forEach((d, i) => {
        const path = index(child('spec', 'delete'), i);
        if (!rbacKinds.includes(d?.kind)) errs.push(notSupported(child(path, 'kind'), d?.kind ?? '', rbacKinds));
        if (!d?.name) errs.push(invalid(child(path, 'name'), d?.name ?? '', 'must name the object'));
        if ((d?.kind === 'Role' || d?.kind === 'RoleBinding') && !d.namespace) errs.push(invalid(child(path, 'namespace'), '', 'is required for namespaced kinds'));
      });
    }
    if (apply.length + (Array.isArray(del) ? del.length : 0) > maxChanges) errs.push(invalid('spec', `${apply.length + del.length} changes`, `at most ${maxChanges} changes per review`));
    if (apply.length === 0 && (!Array.isArray(del) || del.length === 0)) errs.push(invalid('spec.apply', [], 'name at least one object to apply or delete'));
    const questions = body.spec.questions ?? [];
    if (!Array.isArray(questions)) errs.push(invalid('spec.questions', questions, 'must be a list of SubjectAccessReview specs'));
    else {
      if (questions.length > maxQuestions) errs.push(invalid('spec.questions', `${questions.length} questions`, `at most ${maxQuestions} questions per review`));
      questions.forEach((q, i) => errs.push(...validateSubjectSpec(q, index(child('spec', 'questions'), i))));
    }
    refuseInvalid('RBACChangeReview', 'authorization.warden.dev', errs);
    const snapshot = deps.snapshots.current;
    const asked = (questions as AccessSpec[]).map((q) => attributesOf(subjectOf(q), q));
    const result = whatIf(snapshot.rbac, { apply: apply as never, delete: del as never }, asked);
    send(req, res, 201, { apiVersion: body.apiVersion, kind: body.kind, metadata: { ...(body.metadata ?? {}), creationTimestamp: null }, spec: body.spec, status: result }, snapshot.revision);
  };
}
