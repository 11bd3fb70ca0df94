/**
 * The immutable in-memory state every decision is computed from, stamped with
 * the policy revision it reflects. `applyChanges` returns a new snapshot and
 * leaves the old one untouched (requests in flight keep reading it); it costs
 * in proportion to the change, not to the size of the state.
 */
import type { KubeObject } from './meta.ts';
import type { TokenIdentity, UserRecord } from './identity.ts';
import { RbacState, type RbacChange, type RbacStateOptions } from './rbac/state.ts';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from './rbac/types.ts';
import type { Tenant } from './tenancy/types.ts';

/** One object written by a revision: `object` null means deleted. */
export interface ObjectChange {
  kind: string;
  namespace: string;
  name: string;
  object: KubeObject | null;
  /** Token changes carry the secret's hash, which no object shows. */
  tokenHash?: string;
}

export interface Snapshot {
  readonly revision: number;
  /** Roles, ClusterRoles (aggregation resolved) and bindings, indexed for decisions. */
  readonly rbac: RbacState;
  readonly namespaces: ReadonlyMap<string, KubeObject>;
  readonly tenants: ReadonlyMap<string, Tenant>;
  /** NetworkPolicies by namespace, then name. */
  readonly networkPolicies: ReadonlyMap<string, ReadonlyMap<string, KubeObject>>;
  readonly users: ReadonlyMap<string, UserRecord>;
  /** Token secret hash -> identity. */
  readonly tokens: ReadonlyMap<string, TokenIdentity>;
  /** Token name -> hash, to find a token again when it is deleted. */
  readonly tokenHashes: ReadonlyMap<string, string>;
  /** `namespace/name` -> uid of every ServiceAccount: tokens bound to one work only while it exists. */
  readonly serviceAccounts: ReadonlyMap<string, string>;
  /** Registered CustomResourceDefinitions by name: what discovery adds to the built-in API. */
  readonly customResourceDefinitions: ReadonlyMap<string, KubeObject>;
}

export interface SnapshotInput {
  revision: number;
  objects: KubeObject[];
  /** Token name -> hash for every Token in `objects`. */
  tokenHashes: Map<string, string>;
}

export type SnapshotOptions = RbacStateOptions;

const rbacKinds: ReadonlySet<string> = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
/**
 * Kinds whose objects count as gone while being deleted (held by
 * finalizers): they grant, authenticate and bind nothing, so no decision,
 * review, escalation check or aggregation sees them, and the tokens of a
 * deleting ServiceAccount or User fail as kube fails a deleting
 * ServiceAccount's tokens.
 */
const goneWhileDeleting: ReadonlySet<string> = new Set([...rbacKinds, 'Token', 'ServiceAccount', 'User']);

export function buildSnapshot(input: SnapshotInput, options: SnapshotOptions): Snapshot {
  const empty: Snapshot = { revision: 0, rbac: RbacState.empty(options), namespaces: new Map(), tenants: new Map(), networkPolicies: new Map(), users: new Map(), tokens: new Map(), tokenHashes: new Map(), serviceAccounts: new Map(), customResourceDefinitions: new Map() };
  const changes = input.objects.map((o) => ({
    kind: o.kind,
    namespace: o.metadata.namespace ?? '',
    name: o.metadata.name!,
    object: o,
    tokenHash: o.kind === 'Token' ? input.tokenHashes.get(o.metadata.name!) : undefined,
  }));
  return applyChanges(empty, input.revision, changes);
}

/** The snapshot at `revision`: `base` with `changes` applied in order. */
export function applyChanges(base: Snapshot, revision: number, changes: ObjectChange[]): Snapshot {
  const rbacChanges: RbacChange[] = [];
  let namespaces: Map<string, KubeObject> | undefined;
  let policies: Map<string, ReadonlyMap<string, KubeObject>> | undefined;
  let tenants: Map<string, Tenant> | undefined;
  const copiedPolicyNamespaces = new Set<string>();
  let users: Map<string, UserRecord> | undefined;
  let tokens: Map<string, TokenIdentity> | undefined;
  let tokenHashes: Map<string, string> | undefined;
  let serviceAccounts: Map<string, string> | undefined;
  let crds: Map<string, KubeObject> | undefined;
  for (const change of changes) {
    const c = change.object?.metadata.deletionTimestamp && goneWhileDeleting.has(change.kind) ? { ...change, object: null } : change;
    if (rbacKinds.has(c.kind)) {
      rbacChanges.push(rbacChange(c));
      continue;
    }
    switch (c.kind) {
      case 'Namespace':
        namespaces ??= new Map(base.namespaces);
        if (c.object) namespaces.set(c.name, c.object);
        else namespaces.delete(c.name);
        break;
      case 'NetworkPolicy': {
        policies ??= new Map(base.networkPolicies);
        if (!copiedPolicyNamespaces.has(c.namespace)) {
          policies.set(c.namespace, new Map(policies.get(c.namespace) ?? []));
          copiedPolicyNamespaces.add(c.namespace);
        }
        const inNamespace = policies.get(c.namespace) as Map<string, KubeObject>;
        if (c.object) inNamespace.set(c.name, c.object);
        else inNamespace.delete(c.name);
        if (!inNamespace.size) {
          policies.delete(c.namespace);
          copiedPolicyNamespaces.delete(c.namespace);
        }
        break;
      }
      case 'Tenant':
        tenants ??= new Map(base.tenants);
        if (c.object) tenants.set(c.name, c.object as Tenant);
        else tenants.delete(c.name);
        break;
      case 'User':
        users ??= new Map(base.users);
        if (c.object) users.set(c.name, { name: c.name, groups: ((c.object.spec as { groups?: string[] })?.groups) ?? [], uid: c.object.metadata.uid });
        else users.delete(c.name);
        break;
      case 'Token': {
        tokens ??= new Map(base.tokens);
        tokenHashes ??= new Map(base.tokenHashes);
        const old = tokenHashes.get(c.name);
        if (old !== undefined) tokens.delete(old);
        tokenHashes.delete(c.name);
        if (c.object && c.tokenHash) {
          tokens.set(c.tokenHash, tokenIdentity(c.object));
          tokenHashes.set(c.name, c.tokenHash);
        }
        break;
      }
      case 'ServiceAccount':
        serviceAccounts ??= new Map(base.serviceAccounts);
        if (c.object) serviceAccounts.set(`${c.namespace}/${c.name}`, c.object.metadata.uid ?? '');
        else serviceAccounts.delete(`${c.namespace}/${c.name}`);
        break;
      case 'CustomResourceDefinition':
        crds ??= new Map(base.customResourceDefinitions);
        if (c.object) crds.set(c.name, c.object);
        else crds.delete(c.name);
        break;
      default:
        break;
    }
  }
  return {
    revision,
    rbac: rbacChanges.length ? base.rbac.apply(rbacChanges) : base.rbac,
    namespaces: namespaces ?? base.namespaces,
    networkPolicies: policies ?? base.networkPolicies,
    tenants: tenants ?? base.tenants,
    users: users ?? base.users,
    tokens: tokens ?? base.tokens,
    tokenHashes: tokenHashes ?? base.tokenHashes,
    serviceAccounts: serviceAccounts ?? base.serviceAccounts,
    customResourceDefinitions: crds ?? base.customResourceDefinitions,
  };
}

function rbacChange(c: ObjectChange): RbacChange {
  switch (c.kind) {
    case 'Role': return { kind: 'Role', namespace: c.namespace, name: c.name, object: c.object as unknown as Role | null };
    case 'RoleBinding': return { kind: 'RoleBinding', namespace: c.namespace, name: c.name, object: c.object as unknown as RoleBinding | null };
    case 'ClusterRole': return { kind: 'ClusterRole', name: c.name, object: c.object as unknown as ClusterRole | null };
    default: return { kind: 'ClusterRoleBinding', name: c.name, object: c.object as unknown as ClusterRoleBinding | null };
  }
}

function tokenIdentity(o: KubeObject): TokenIdentity {
  const spec = (o.spec ?? {}) as { user?: string; groups?: string[]; expirationTimestamp?: string; audiences?: string[] };
  const id: TokenIdentity = { tokenName: o.metadata.name!, user: spec.user ?? '', groups: spec.groups ?? [] };
  if (spec.expirationTimestamp) id.expiresAt = Date.parse(spec.expirationTimestamp);
  if (spec.audiences?.length) id.audiences = spec.audiences;
  const boundTo = bindingOf(o);
  if (boundTo) id.boundTo = boundTo;
  return id;
}

/**
 * The first owner reference naming a User (iam.warden.dev) or a
 * ServiceAccount (core v1): what the token is bound to. An owner whose name
 * is not the token's user can never match at authentication, so such a
 * token fails closed.
 */
function bindingOf(o: KubeObject): TokenIdentity['boundTo'] {
  for (const ref of o.metadata.ownerReferences ?? []) {
    if (ref.apiVersion === 'iam.warden.dev/v1' && ref.kind === 'User') return { kind: 'User', uid: ref.uid };
    if (ref.apiVersion === 'v1' && ref.kind === 'ServiceAccount') return { kind: 'ServiceAccount', uid: ref.uid };
  }
  return undefined;
}
