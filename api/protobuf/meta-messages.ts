/**
 * apimachinery's messages (meta/v1, util/intstr, api/resource) as data,
 * with the converters that give the special ones their JSON form. Field
 * numbers are those of Kubernetes' generated.proto files; the grammar is in
 * schema.ts.
 */
import type { Converter, MessageSource } from './schema.ts';
import { ProtobufError } from './wire.ts';

export const metaMessages: MessageSource = {
  ObjectMeta: {
    1: 'name string',
    2: 'generateName string',
    3: 'namespace string',
    4: 'selfLink string',
    5: 'uid string',
    6: 'resourceVersion string',
    7: 'generation int64',
    8: 'creationTimestamp Time',
    9: 'deletionTimestamp Time',
    10: 'deletionGracePeriodSeconds int64!',
    11: 'labels map<string>',
    12: 'annotations map<string>',
    13: 'ownerReferences []OwnerReference',
    14: 'finalizers []string',
    17: 'managedFields []ManagedFieldsEntry',
  },
  OwnerReference: {
    1: 'kind string!',
    3: 'name string!',
    4: 'uid string!',
    5: 'apiVersion string!',
    6: 'controller bool!',
    7: 'blockOwnerDeletion bool!',
  },
  ManagedFieldsEntry: {
    1: 'manager string',
    2: 'operation string',
    3: 'apiVersion string',
    4: 'time Time',
    6: 'fieldsType string',
    7: 'fieldsV1 FieldsV1',
    8: 'subresource string',
  },
  FieldsV1: { 1: 'raw json!' },
  Time: { 1: 'seconds int64!', 2: 'nanos int32!' },
  LabelSelector: {
    1: 'matchLabels map<string>',
    2: 'matchExpressions []LabelSelectorRequirement',
  },
  LabelSelectorRequirement: {
    1: 'key string!',
    2: 'operator string!',
    3: 'values []string',
  },
  DeleteOptions: {
    1: 'gracePeriodSeconds int64!',
    2: 'preconditions Preconditions',
    3: 'orphanDependents bool!',
    4: 'propagationPolicy string!',
    5: 'dryRun []string',
  },
  Preconditions: {
    1: 'uid string!',
    2: 'resourceVersion string!',
  },
  IntOrString: { 1: 'type int64!', 2: 'intVal int32!', 3: 'strVal string!' },
  Quantity: { 1: 'string string!' },
};

const maxUnixSeconds = 253402300799; // 9999-12-31T23:59:59Z, the last second RFC 3339 can write

/**
 * metav1.Time is written in JSON as RFC 3339 in UTC at second precision; the
 * zero time (nothing on the wire) is what JSON writes as null, so it is left out.
 */
function time(fields: Record<string, unknown>): unknown {
  const seconds = (fields.seconds as number | undefined) ?? 0;
  const nanos = (fields.nanos as number | undefined) ?? 0;
  if (seconds === 0 && nanos === 0) return undefined;
  if (seconds < -62135596800 || seconds > maxUnixSeconds) throw new ProtobufError(`time ${seconds} is outside the years 0001 to 9999`);
  return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** IntOrString is a number or a string in JSON, by its type tag (1 is string). */
function intOrString(fields: Record<string, unknown>): unknown {
  return fields.type === 1 ? ((fields.strVal as string | undefined) ?? '') : ((fields.intVal as number | undefined) ?? 0);
}

/** A Quantity travels as its canonical string; the zero Quantity is "0". */
function quantity(fields: Record<string, unknown>): unknown {
  return (fields.string as string | undefined) || '0';
}

function fieldsV1(fields: Record<string, unknown>): unknown {
  return fields.raw ?? {};
}

export const metaConverters: Record<string, Converter> = {
  Time: time,
  IntOrString: intOrString,
  Quantity: quantity,
  FieldsV1: fieldsV1,
};
