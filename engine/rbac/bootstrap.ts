/**
 * The default ClusterRoles (policies/bootstrap-cluster-roles.yaml) from
 * parsed YAML. The caller reads and parses the file (the engine reads no
 * files), for instance with `yaml`'s `parseAllDocuments(text).map((d) => d.toJS())`.
 */
import type { ClusterRole } from './types.ts';

const rbacV1 = 'rbac.authorization.k8s.io/v1';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringList(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
}

/**
 * Every ClusterRole in `documents`: each document is a ClusterRole or a
 * `List` of them; empty documents are skipped. Throws, naming the document,
 * on anything else, on a ClusterRole without a name, on malformed rules,
 * and on a duplicated name.
 */
export function loadBootstrapClusterRoles(documents: readonly unknown[]): ClusterRole[] {
  const out: ClusterRole[] = [];
  const seen = new Set<string>();
  documents.forEach((doc, d) => {
    if (doc === null || doc === undefined) return;
    const items = isRecord(doc) && doc.kind === 'List' && Array.isArray(doc.items) ? doc.items : [doc];
    items.forEach((item, i) => {
      const where = items.length > 1 || item !== doc ? `document ${d} item ${i}` : `document ${d}`;
      const role = asClusterRole(item, where);
      const name = role.metadata.name!;
      if (seen.has(name)) throw new Error(`bootstrap ClusterRoles: ${where}: duplicate ClusterRole ${JSON.stringify(name)}`);
      seen.add(name);
      out.push(role);
    });
  });
  return out;
}

function asClusterRole(v: unknown, where: string): ClusterRole {
  const fail = (why: string): never => {
    throw new Error(`bootstrap ClusterRoles: ${where}: ${why}`);
  };
  if (!isRecord(v)) return fail('not an object');
  if (v.apiVersion !== rbacV1 || v.kind !== 'ClusterRole') return fail(`expected ${rbacV1} ClusterRole, got ${String(v.apiVersion)} ${String(v.kind)}`);
  if (!isRecord(v.metadata) || typeof v.metadata.name !== 'string' || v.metadata.name === '') return fail('metadata.name is required');
  const rules = v.rules ?? [];
  if (!Array.isArray(rules)) return fail('rules must be a list');
  rules.forEach((r, i) => {
    if (!isRecord(r) || !Array.isArray(r.verbs)) fail(`rules[${i}].verbs is required`);
    const rule = r as Record<string, unknown>;
    for (const f of ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs']) {
      if (!isStringList(rule[f])) fail(`rules[${i}].${f} must be a list of strings`);
    }
  });
  if (v.aggregationRule !== undefined && v.aggregationRule !== null && !isRecord(v.aggregationRule)) return fail('aggregationRule must be an object');
  return { ...(v as unknown as ClusterRole), rules: rules as ClusterRole['rules'] };
}
