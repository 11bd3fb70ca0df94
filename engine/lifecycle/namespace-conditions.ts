/**
 * The status conditions the namespace controller keeps on a Terminating
 * namespace (pkg/controller/namespace/deletion/status_condition_utils.go):
 * the five condition types in their order, each in its "ok" form unless
 * content remains; an unchanged condition keeps its lastTransitionTime,
 * one whose status flips gets the new time.
 */

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** What is left in a terminating namespace: instances per `resource.group`, and per finalizer. */
export interface RemainingContent {
  resources: ReadonlyMap<string, number>;
  finalizers: ReadonlyMap<string, number>;
}

const conditionTypes = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

const ok: Readonly<Record<(typeof conditionTypes)[number], { reason: string; message: string }>> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** Go's sort.Strings order: by bytes, which for these ASCII names is by code unit. */
const sorted = (xs: string[]) => xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function failing(remaining: RemainingContent): Map<string, { reason: string; message: string }> {
  const out = new Map<string, { reason: string; message: string }>();
  const resources = sorted([...remaining.resources].filter(([, n]) => n > 0).map(([r, n]) => `${r} has ${n} resource instances`));
  if (resources.length) out.set('NamespaceContentRemaining', { reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${resources.join(', ')}` });
  const finalizers = sorted([...remaining.finalizers].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`));
  if (finalizers.length) {
    out.set('NamespaceFinalizersRemaining', { reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}` });
  }
  return out;
}

/** updateConditions: `previous` (the namespace's status.conditions) brought up to date; conditions of other types are kept. */
export function namespaceDeletionConditions(previous: readonly NamespaceCondition[] | undefined, remaining: RemainingContent, now: string): NamespaceCondition[] {
  const out = (previous ?? []).map((c) => ({ ...c }));
  const bad = failing(remaining);
  for (const type of conditionTypes) {
    const wanted = bad.get(type);
    const status = wanted ? 'True' : 'False';
    const { reason, message } = wanted ?? ok[type];
    const old = out.find((c) => c.type === type);
    if (!old) out.push({ type, status, lastTransitionTime: now, reason, message });
    else if (old.status !== status || old.reason !== reason || old.message !== message) {
      if (old.status !== status) old.lastTransitionTime = now;
      Object.assign(old, { status, reason, message });
    }
  }
  return out;
}
