/**
 * The CLI's words for a question: `VERB RESOURCE[.GROUP][/SUBRESOURCE]`
 * (or a non-resource URL starting with `/`), checked before any request so
 * a misspelling is exit 2 with a message and nothing sent.
 */
import { UsageError } from './output.js';

/** kube-apiserver's verbs, and the special verbs RBAC knows. */
export const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'impersonate', 'bind', 'escalate', 'use', 'approve', 'sign', 'proxy', '*'];

export interface Target {
  verb: string;
  resource?: string;
  group?: string;
  subresource?: string;
  path?: string;
}

export function parseVerb(verb: string): string {
  if (!verbs.includes(verb)) throw new UsageError(`unknown verb ${JSON.stringify(verb)}: one of ${verbs.join(', ')}`);
  return verb;
}

const resourceName = /^(\*|[a-z0-9]([a-z0-9-]*[a-z0-9])?)$/;
const groupName = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** `pods`, `deployments.apps`, `deployments.apps/scale`, `pods/log`, `*`, or `/healthz`. */
export function parseTarget(verb: string, spec: string): Target {
  parseVerb(verb);
  if (spec.startsWith('/')) return { verb, path: spec };
  const [res, sub, extra] = spec.split('/');
  const dot = res.indexOf('.');
  const resource = dot < 0 ? res : res.slice(0, dot);
  const group = dot < 0 ? '' : res.slice(dot + 1);
  if (extra !== undefined || !resourceName.test(resource) || (group && !groupName.test(group)) || (sub !== undefined && !resourceName.test(sub))) {
    throw new UsageError(`invalid resource ${JSON.stringify(spec)}: expected RESOURCE[.GROUP][/SUBRESOURCE] in lower case, such as pods, deployments.apps or pods/log, or a URL path such as /healthz`);
  }
  const t: Target = { verb, resource };
  if (group) t.group = group;
  if (sub) t.subresource = sub;
  return t;
}

/** `NAMESPACE/key=value,key=value` (a pod) or an IP address (outside the pods). */
export function parseEndpoint(text: string): { namespace?: string; labels?: Record<string, string>; ip?: string } {
  if (/^[0-9.]+$|^[0-9a-fA-F:]+:[0-9a-fA-F:.]*$/.test(text)) return { ip: text };
  const slash = text.indexOf('/');
  const namespace = slash < 0 ? text : text.slice(0, slash);
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(namespace)) throw new UsageError(`invalid endpoint ${JSON.stringify(text)}: expected NAMESPACE/key=value,... or an IP address`);
  const labels: Record<string, string> = {};
  for (const pair of slash < 0 ? [] : text.slice(slash + 1).split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid endpoint ${JSON.stringify(text)}: label ${JSON.stringify(pair)} is not key=value`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { namespace, labels };
}
