/**
 * IsOnlyMutatingGCFields (pkg/registry/rbac/helpers.go): does an update
 * change nothing but what garbage collection edits? Such updates skip the
 * escalation check, so the collector can manage RBAC objects it could not
 * create.
 *
 * Equality is apimachinery's semantic equality: an absent field, a zero
 * value and an empty list or map are the same. Besides ownerReferences and
 * finalizers, the fields the server maintains itself (resourceVersion, uid,
 * creationTimestamp, generation, managedFields, selfLink) are ignored: the
 * store sets them from the stored object, so they can grant nothing.
 */
const ignoredMetadata: ReadonlySet<string> = new Set([
  'ownerReferences', 'finalizers', 'selfLink',
  'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields',
]);

/** A value with zero values and empty containers removed; `undefined` when nothing remains. */
function normalize(value: unknown): unknown {
  if (value === null || value === undefined || value === '' || value === false || value === 0) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return value.map((v) => normalize(v) ?? null);
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) {
      const v = normalize((value as Record<string, unknown>)[k]);
      if (v !== undefined) out[k] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

function withoutGcFields(obj: { metadata?: object }): unknown {
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj.metadata ?? {})) if (!ignoredMetadata.has(k)) metadata[k] = v;
  return normalize({ ...obj, metadata });
}

/** True when `next` and `prev` differ at most in ownerReferences, finalizers and server-maintained metadata. */
export function onlyGcFieldsChanged(next: { metadata?: object }, prev: { metadata?: object }): boolean {
  return JSON.stringify(withoutGcFields(next)) === JSON.stringify(withoutGcFields(prev));
}
