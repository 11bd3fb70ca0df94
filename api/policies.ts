/**
 * policies/: the Casbin model RBAC decisions are taken with, and the
 * bootstrap RBAC objects installed on first start. Read once per process.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { KubeObject } from '../engine/meta.ts';
import { loadBootstrapClusterRoles } from '../engine/rbac/bootstrap.ts';

export const policiesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'policies');

export interface Policies {
  casbinModel: string;
  /** ClusterRoles and ClusterRoleBindings to install on first start. */
  bootstrap: KubeObject[];
}

let cached: Promise<Policies> | undefined;

export function loadPolicies(): Promise<Policies> {
  cached ??= (async () => {
    const casbinModel = await readFile(path.join(policiesDir, 'rbac-model.conf'), 'utf8');
    const roles = YAML.parseAllDocuments(await readFile(path.join(policiesDir, 'bootstrap-cluster-roles.yaml'), 'utf8')).map((d) => d.toJS());
    const bindings = YAML.parseAllDocuments(await readFile(path.join(policiesDir, 'bootstrap-cluster-role-bindings.yaml'), 'utf8')).map((d) => d.toJS());
    return {
      casbinModel,
      bootstrap: [...(loadBootstrapClusterRoles(roles) as unknown as KubeObject[]), ...(bindings.filter(Boolean) as KubeObject[])],
    };
  })();
  return cached;
}
