/**
 * The dimensions of a request, each as fast-check arbitraries in a valid
 * and one or more hostile variants: path parameters (known names; hostile
 * segments; segments that do not decode), the path (case-altered literal
 * segments; trailing and double slashes, dot segments, encoded letters,
 * matrix parameters, absolute form), the method, the query (values that
 * mean something for each parameter; unknown, duplicated and huge ones),
 * and the headers (impersonation, minimum revision, request id, Accept);
 * bodies are in bodies.ts.
 *
 * Promises: every variant shrinks towards smaller values of itself; the
 * admin's variants never aim a write, delete or method change at anything
 * but scratch objects, and its deletes of collections always select the
 * scratch label.
 */
import fc from 'fast-check';
import { encodeQueryPart, encodeSegment, hostileQuery, hostileSegment, hostileString, undecodableSegment, type Segment } from './hostile.ts';
import { bodyArb, type BodyVariants } from './bodies.ts';
import type { Intent } from './member-rights.ts';
import { names, objectNames, scratchLabel } from './platform.ts';
import { schemaArbitrary } from './schema-arbitrary.ts';
import { segments, type Document, type Operation, type Parameter } from './spec.ts';
import { bodyOptions, type Identity } from './values.ts';

const destructiveMethods = new Set(['PUT', 'PATCH', 'DELETE']);
const groupsServed = ['rbac.authorization.k8s.io', 'networking.k8s.io', 'authorization.k8s.io', 'iam.warden.dev', 'tenancy.warden.dev', 'audit.warden.dev',
  'authorization.warden.dev', 'networking.warden.dev', 'warden.dev', 'apps', 'nope.example.com'];

/** The resource (plural) a template's {name} names. */
function resourceOf(template: string): string {
  const s = template.split('/');
  const i = s.indexOf('{name}');
  return i > 0 ? s[i - 1] : '';
}

function segmentOf(value: string): Segment {
  const raw = encodeSegment(value);
  return { raw, decoded: value };
}

/** A valid and a hostile arbitrary for one dimension of a request. */
export interface Pair<T> {
  valid: fc.Arbitrary<T>;
  hostile: fc.Arbitrary<T>;
}

/** Path parameter values for `identity`: known names (valid), hostile segments and over-encoded names, or segments that do not decode. */
function paramArb(op: Operation, p: Parameter, identity: Identity, destructive: boolean): Pair<Segment> & { undecodable: fc.Arbitrary<Segment>; existing: fc.Arbitrary<Segment> } {
  let pool: string[];
  if (p.name === 'namespace') {
    pool = destructive ? [names.scratchNamespace, names.scratchNamespace, names.missing] : identity === 'member' ? [names.memberNamespace, names.memberNamespace, names.memberNamespace, 'a-ops', 'b-dev', names.scratchNamespace, names.missing] : [...names.namespaces, names.scratchNamespace, names.missing];
  } else if (p.name === 'name') {
    const resource = resourceOf(op.template);
    if (resource === 'serviceaccounts' && op.template.endsWith('/token')) pool = destructive ? [names.scratch] : objectNames.serviceaccounts;
    else if (destructive) pool = resource === 'namespaces' ? [names.scratchNamespace, names.scratchNamespace, names.missing] : resource === 'tenants' ? [names.scratchTenant, names.scratchTenant, names.missing] : [names.scratch, names.scratch, names.missing];
    else pool = [...(objectNames[resource] ?? [names.scratch]), names.missing];
  } else if (p.name === 'group') {
    pool = groupsServed;
  } else if (p.name === 'version') {
    pool = ['v1', 'v1', 'v2', 'v1beta1'];
  } else {
    pool = ['x'];
  }
  const known = fc.constantFrom(...pool).map(segmentOf);
  const fixtures = new Set([...Object.values(objectNames).flat(), ...names.namespaces].filter((n) => n !== names.scratch && n !== names.scratchNamespace && n !== names.scratchTenant).map((n) => n.toLowerCase()));
  // A destructive admin request never reaches a fixture, however its name is spelled, nor, through an empty or
  // dot segment that a router might fold away, the whole collection (a DELETE of the collection deletes everything).
  const foldable = (s: Segment) => s.raw === '' || /^(\.|%2e){1,2}$/i.test(s.raw);
  const hostile = destructive ? hostileSegment.filter((s) => !foldable(s) && (s.decoded === undefined || !fixtures.has(s.decoded.toLowerCase().trim()))) : hostileSegment;
  // Objects that exist and that `identity` may reach (for patches, which only apply to an object).
  let present = pool.filter((n) => n !== names.missing);
  if (identity === 'member' && p.name === 'namespace') present = [names.memberNamespace];
  else if (identity === 'member' && p.name === 'name') present = present.filter((n) => n.startsWith('a-'));
  return {
    valid: known,
    existing: fc.constantFrom(...(present.length ? present : pool)).map(segmentOf),
    hostile: fc.oneof({ withCrossShrink: true }, { arbitrary: known, weight: 1 }, { arbitrary: hostile, weight: 4 }, { arbitrary: fc.constantFrom(...pool).map((v) => ({ raw: encodeSegment(v, true), decoded: v, hostile: true })), weight: 1 }),
    undecodable: undecodableSegment,
  };
}

export type PathMutation =
  | { kind: 'none' }
  | { kind: 'case'; segment: number; style: 'upper' | 'capital' | 'last' }
  | { kind: 'trailing-slash' }
  | { kind: 'double-slash'; at: number }
  | { kind: 'dot-segment'; at: number; dots: '.' | '%2e' }
  | { kind: 'encoded-literal'; segment: number }
  | { kind: 'absolute-form' }
  | { kind: 'matrix'; segment: number };

/** Case-altered literal segments: kube-apiserver's paths are case-sensitive, so these name nothing it serves. */
const caseMutation: fc.Arbitrary<PathMutation> = fc.record({ kind: fc.constant('case' as const), segment: fc.nat(8), style: fc.constantFrom('upper' as const, 'capital' as const, 'last' as const) });

/** Other spellings: trailing and double slashes, dot segments, an encoded letter, matrix parameters, the absolute form. */
const otherMutation: fc.Arbitrary<PathMutation> = fc.oneof(
  fc.constant<PathMutation>({ kind: 'trailing-slash' }),
  fc.record({ kind: fc.constant('double-slash' as const), at: fc.nat(8) }),
  fc.record({ kind: fc.constant('dot-segment' as const), at: fc.nat(8), dots: fc.constantFrom('.' as const, '%2e' as const) }),
  fc.record({ kind: fc.constant('encoded-literal' as const), segment: fc.nat(8) }),
  fc.constant<PathMutation>({ kind: 'absolute-form' }),
  fc.record({ kind: fc.constant('matrix' as const), segment: fc.nat(8) }),
);

export const pathMutations = { valid: fc.constant<PathMutation>({ kind: 'none' }), case: caseMutation, other: otherMutation };

function alterCase(s: string, style: 'upper' | 'capital' | 'last'): string {
  const letters = [...s].map((ch, i) => (/[a-z]/i.test(ch) ? i : -1)).filter((i) => i >= 0);
  if (!letters.length) return s;
  if (style === 'upper' && s !== s.toUpperCase()) return s.toUpperCase();
  const at = style === 'last' ? letters[letters.length - 1] : letters[0];
  const ch = s[at];
  return s.slice(0, at) + (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase()) + s.slice(at + 1);
}

/** The path with the mutation applied, and how the member check must read it. */
export function buildPath(template: string, params: Record<string, Segment>, m: PathMutation): { path: string; altered: Intent['pathAltered']; alteredTemplate?: string } {
  const segs = segments(template);
  const literalIdx = segs.map((s, i) => (s.literal ? i : -1)).filter((i) => i >= 0);
  const parts = segs.map((s) => (s.literal ? s.text : params[s.text].raw));
  const at = (n: number) => literalIdx[n % literalIdx.length];
  switch (m.kind) {
    case 'none': return { path: `/${parts.join('/')}`, altered: 'none' };
    case 'case': {
      const i = at(m.segment);
      parts[i] = alterCase(parts[i], m.style);
      const spelled = segs.map((s, j) => (j === i ? parts[i] : s.literal ? s.text : `{${s.text}}`));
      return { path: `/${parts.join('/')}`, altered: 'case', alteredTemplate: `/${spelled.join('/')}` };
    }
    case 'trailing-slash': return { path: `/${parts.join('/')}/`, altered: 'other' };
    case 'double-slash': { const i = m.at % (parts.length + 1); parts.splice(i, 0, ''); return { path: `/${parts.join('/')}`, altered: 'other' }; }
    case 'dot-segment': { const i = m.at % (parts.length + 1); parts.splice(i, 0, m.dots); return { path: `/${parts.join('/')}`, altered: 'other' }; }
    case 'encoded-literal': {
      const i = at(m.segment);
      const s = parts[i];
      const j = [...s].findIndex((ch) => /[a-z]/i.test(ch));
      if (j >= 0) parts[i] = s.slice(0, j) + `%${s.charCodeAt(j).toString(16).toUpperCase()}` + s.slice(j + 1);
      return { path: `/${parts.join('/')}`, altered: 'other' };
    }
    case 'absolute-form': return { path: `http://warden.invalid/${parts.join('/')}`, altered: 'other' };
    case 'matrix': parts[at(m.segment)] += ';x=1'; return { path: `/${parts.join('/')}`, altered: 'other' };
  }
}

/** Query values that mean something for each parameter Warden takes. */
function queryValueArb(p: Parameter, doc: Document): fc.Arbitrary<string> {
  const pools: Record<string, string[]> = {
    labelSelector: ['', 'app=web', `${'tenancy.warden.dev/tenant'}=a`, 'tier in (a,b)', '!team', 'team', 'app!=x', 'a=b,c=d', `${scratchLabel}=true`],
    fieldSelector: ['metadata.name=a-dev', `metadata.namespace=${names.memberNamespace}`, 'metadata.name=fz-obj', 'metadata.name!=x', ''],
    limit: ['1', '2', '5', '500'],
    continue: ['x'],
    watch: ['false', '0', 'true', '1'],
    timeoutSeconds: ['1', '0'],
    resourceVersion: ['0', '1'],
    resourceVersionMatch: ['NotOlderThan', 'Exact'],
    dryRun: ['All'],
    fieldManager: ['fuzz', 'kubectl-client-side-apply'],
    fieldValidation: ['Strict', 'Warn', 'Ignore'],
    propagationPolicy: ['Background', 'Orphan', 'Foreground'],
    force: ['true', 'false'],
    gracePeriodSeconds: ['0', '30'],
    orphanDependents: ['false'],
    pretty: ['true', 'false'],
    timeout: ['32s'],
    allowWatchBookmarks: ['true'],
    sendInitialEvents: ['true', 'false'],
  };
  const pool = pools[p.name];
  if (pool) return fc.constantFrom(...pool);
  return schemaArbitrary(doc, p.schema, bodyOptions('member')).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}

export interface Query {
  pairs: [string, string][];
  hostile: boolean;
}

export function queryArb(op: Operation, doc: Document, identity: Identity): Pair<Query> {
  const qs = op.params.filter((p) => p.in === 'query');
  const deleteCollection = identity === 'admin' && op.method === 'DELETE' && !op.template.endsWith('{name}');
  // Parameters kube-apiserver only takes in combination (with a watch, with a resourceVersion) are left to the hostile variant.
  const combined = ['sendInitialEvents', 'allowWatchBookmarks', 'resourceVersionMatch'];
  const usable = qs.filter((p) => !combined.includes(p.name) && !(deleteCollection && (p.name === 'labelSelector' || p.name === 'fieldSelector')));
  // Each parameter now and then (shrinking drops them); a watch only sometimes, as it streams until its timeout.
  const each = usable.map((p) => fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant(undefined), weight: 5 },
    { arbitrary: (p.name === 'watch' ? fc.constantFrom('false', 'false', 'true') : queryValueArb(p, doc)).map((v) => [p.name, encodeQueryPart(v)] as [string, string]), weight: 1 },
  ));
  const valid = fc.tuple(...each).map((chosen) => {
    const out = chosen.filter((x): x is [string, string] => x !== undefined);
    if (out.some(([k, v]) => k === 'watch' && v === 'true') && !out.some(([k]) => k === 'timeoutSeconds')) out.push(['timeoutSeconds', '1']);
    return out;
  });
  // The admin's deletes of collections always select the scratch label, and nothing else may change what they select.
  if (deleteCollection) {
    const scratch = valid.map((pairs): Query => ({ pairs: [['labelSelector', encodeQueryPart(`${scratchLabel}=true`)], ...pairs], hostile: false }));
    return { valid: scratch, hostile: scratch };
  }
  return {
    valid: valid.map((pairs): Query => ({ pairs, hostile: false })),
    hostile: fc.tuple(valid, hostileQuery).map(([a, b]): Query => ({ pairs: [...a, ...b], hostile: true })),
  };
}

/** Header values node sends as they are: bytes 0x20-0x7e and 0x80-0xff, tabs; others %XX-escaped. */
export function headerSafe(s: string): string {
  return [...s].map((ch) => {
    const c = ch.codePointAt(0)!;
    return c === 9 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff) ? ch : encodeSegment(ch, true);
  }).join('').trim();
}

/**
 * What impersonating `user` means for the member: a service account of its namespace (which `edit` may impersonate),
 * or anyone else. A name that claims to be a service account but is not well formed is a plain user name, as
 * kube-apiserver reads it (serviceaccount.SplitUsername fails, so it is authorized as `impersonate` on users).
 */
function impersonatedKind(user: string): Intent['impersonation'] {
  if (!user.startsWith('system:serviceaccount:')) return 'other';
  const parts = user.slice('system:serviceaccount:'.length).split(':');
  return parts.length === 2 && parts[0] === names.memberNamespace && parts[1] !== '' ? 'member-namespace-sa' : 'other';
}

export interface HeaderChoice {
  headers: [string, string][];
  impersonation: Intent['impersonation'];
  tags: string[];
}

export function headersArb(identity: Identity): Pair<HeaderChoice> {
  const accept = fc.constantFrom('application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/json;as=Table;v=v1;g=meta.k8s.io',
    '*/*', 'text/html', 'application/json;q=0', 'application/yaml, application/json;q=0.5', 'application/jsonx', '');
  const saInMemberNs = fc.constantFrom('a-robot', names.scratch, 'default', 'fz-sa').map((n) => `system:serviceaccount:${names.memberNamespace}:${n}`);
  const impersonated = fc.oneof(
    saInMemberNs,
    fc.constantFrom('fz-nobody', 'system:anonymous', 'system:serviceaccount:b-dev:b-robot'),
    fc.constantFrom('system:serviceaccount:', 'system:serviceaccount::', `system:serviceaccount:${names.memberNamespace}`, 'system:serviceaccount:a:b:c'),
    hostileString.map(headerSafe),
  ).map((user) => ({ user, kind: impersonatedKind(user) }));
  const impersonation = fc.record({
    who: impersonated,
    groups: fc.array(fc.oneof(fc.constantFrom('system:masters', 'b-admins', 'a-devs'), hostileString.map(headerSafe)), { maxLength: 2 }),
    uid: fc.option(fc.constantFrom('u-1', ''), { nil: undefined }),
    groupsOnly: fc.boolean(),
  }).map(({ who, groups, uid, groupsOnly }): HeaderChoice => {
    const h: [string, string][] = [];
    if (!groupsOnly || !groups.length) h.push(['Impersonate-User', who.user]);
    for (const g of groups) h.push(['Impersonate-Group', g]);
    if (uid !== undefined) h.push(['Impersonate-Uid', uid]);
    // Anything beyond a bare service account of a-dev needs rights the member lacks. An empty header line
    // may be read as no header at all, so empty values count as absent here.
    const realGroups = groups.filter((g) => g !== '');
    const realUid = uid !== undefined && uid !== '';
    const userSent = !groupsOnly || !groups.length;
    const onlyUser = userSent && !realGroups.length && !realUid;
    const kind: Intent['impersonation'] = !userSent ? (realGroups.length || realUid ? 'malformed' : 'none')
      : who.user === '' ? (realGroups.length || realUid ? 'malformed' : 'none')
      : onlyUser ? who.kind : who.kind === 'malformed' ? 'malformed' : 'other';
    return { headers: h, impersonation: kind, tags: ['header:impersonate'] };
  });
  // A minimum revision past the current one waits two seconds before its 503: rare, so that runs stay quick.
  const minRevision = fc.oneof({ arbitrary: fc.constantFrom('0', '1', 'abc', '-1', ' 5', '1'.repeat(16), '', '1, 2'), weight: 12 }, { arbitrary: fc.constant('999999999'), weight: 1 });
  const extra = fc.oneof(
    { arbitrary: accept.map((a) => [['Accept', a]] as [string, string][]), weight: 4 },
    { arbitrary: minRevision.map((v) => [['X-Warden-Min-Revision', v]] as [string, string][]), weight: 2 },
    { arbitrary: hostileString.map((v) => [['X-Request-Id', headerSafe(v)]] as [string, string][]), weight: 2 },
  );
  const impersonating = identity === 'admin' || identity === 'member';
  const plain = fc.oneof(
    { arbitrary: fc.constant<[string, string][]>([]), weight: 3 },
    { arbitrary: fc.constantFrom('application/json', 'application/yaml', '*/*').map((a) => [['Accept', a]] as [string, string][]), weight: 1 },
  ).map((h): HeaderChoice => ({ headers: h, impersonation: 'none', tags: [] }));
  const hostile = extra.map((h): HeaderChoice => ({ headers: h, impersonation: 'none', tags: h.length ? [`header:${h[0][0].toLowerCase()}`] : [] }));
  return {
    valid: plain,
    hostile: impersonating ? fc.oneof({ arbitrary: hostile, weight: 2 }, { arbitrary: impersonation, weight: 1 }) : hostile,
  };
}


const otherMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'];

/** Every variant of every dimension of requests to one operation as one identity. */
export interface OperationParts {
  params: Pair<Record<string, Segment>> & { undecodable: fc.Arbitrary<Record<string, Segment>>; existing: fc.Arbitrary<Record<string, Segment>> };
  method: Pair<string>;
  headers: Pair<HeaderChoice>;
  query: Pair<Query>;
  body: BodyVariants;
}

export function operationParts(doc: Document, op: Operation, identity: Identity): OperationParts {
  const destructive = identity === 'admin' && destructiveMethods.has(op.method);
  const pathParams = op.params.filter((p) => p.in === 'path').map((p) => [p.name, paramArb(op, p, identity, destructive)] as const);
  const record = (pick: (a: ReturnType<typeof paramArb>) => fc.Arbitrary<Segment>) =>
    fc.record(Object.fromEntries(pathParams.map(([n, a]) => [n, pick(a)])) as Record<string, fc.Arbitrary<Segment>>, { noNullPrototype: true });
  // The admin's method changes stay away from writes: a GET turned DELETE would empty a collection.
  const methods = (identity === 'admin' ? ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'POST'] : otherMethods).filter((m) => m !== op.method);
  return {
    params: { valid: record((a) => a.valid), hostile: record((a) => a.hostile), undecodable: record((a) => a.undecodable), existing: record((a) => a.existing) },
    method: { valid: fc.constant(op.method as string), hostile: fc.constantFrom(...methods) },
    headers: headersArb(identity),
    query: queryArb(op, doc, identity),
    body: bodyArb(doc, op, identity),
  };
}
