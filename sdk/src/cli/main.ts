/**
 * The `warden` CLI over the SDK. Exit codes: 0 success (and `yes`), 1 `no`
 * (can-i, traffic), 2 an error (bad arguments, no connection, a Status
 * from the server), whose message goes to stderr.
 */
import { readFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import YAML from 'yaml';
import type { AccessAttributes, Decision, Explanation } from '../decisions.js';
import type { Warden } from '../client.js';
import { connect, parseDuration, type ConnectionFlags } from './connect.js';
import { parseEndpoint, parseTarget, parseVerb } from './attributes.js';
import { collect, describeError, formats, paint, print, processIo, table, UsageError, type Format, type Io } from './output.js';

const repeat = (v: string, prev: string[] = []) => [...prev, v];

/** Connection flags on every command, so they may follow the command's arguments. */
function withConnection(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'Warden URL (else WARDEN_URL, else the kubeconfig)')
    .option('--token <token>', 'bearer token (else WARDEN_TOKEN, else the kubeconfig)')
    .option('--certificate-authority <file>', 'CA certificate file (else WARDEN_CA, else the kubeconfig)')
    .option('--insecure-skip-tls-verify', 'do not verify the server certificate')
    .option('--kubeconfig <file>', 'kubeconfig file (else KUBECONFIG, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (else its current-context)')
    .option('--request-timeout <duration>', 'give up on a request after this long (default 30s)');
}

function withOutput(cmd: Command): Command {
  return cmd.addOption(new Option('-o, --output <format>', 'output format').choices(formats as string[]).default('table'));
}

type Run = (warden: Warden, opts: Record<string, any>, contextNamespace?: string) => Promise<number>;

export async function main(argv: string[], io: Io = processIo(), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let code = 0;
  const program = new Command('warden')
    .description('Ask Warden who may do what, and change its policy objects')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showSuggestionAfterError(true)
    .addHelpText('after', '\nConnection: --server/--token/--certificate-authority, else WARDEN_URL/WARDEN_TOKEN/WARDEN_CA, else the kubeconfig.\nExample:\n  warden can-i list pods -n payments --as alice\n');

  // With `namespaced`, -n defaults to the kubeconfig context's namespace, as in kubectl.
  const action = (run: Run, namespaced = false) => async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.opts();
    try {
      const { warden, namespace } = await connect(opts as ConnectionFlags, env);
      if (namespaced && opts.namespace === undefined && namespace) opts.namespace = namespace;
      code = await run(warden, opts, namespace);
    } catch (err) {
      io.err(describeError(err) + '\n');
      code = 2;
    }
  };
  const command = (name: string, description: string, example: string) =>
    withConnection(program.command(name).description(description).addHelpText('after', `\nExample:\n  ${example}\n`));

  command('can-i', 'Check whether a subject may do VERB on RESOURCE: prints yes or no, exits 0 or 1', 'warden can-i create rolebindings.rbac.authorization.k8s.io -n payments --as alice --explain')
    .argument('<verb>').argument('<resource>', 'RESOURCE[.GROUP][/SUBRESOURCE], or a URL path such as /healthz').argument('[name]')
    .option('-n, --namespace <ns>', 'namespace')
    .option('--as <user>', 'the user to ask about (default: the caller)')
    .option('--as-group <group>', 'a group of that user (repeatable)', repeat)
    .option('--explain', 'print the reason (and, for no, what the subject may do there)')
    .action(async (verb: string, resource: string, name: string | undefined, ...rest: unknown[]) => {
      const target = (() => { try { return parseTarget(verb, resource); } catch (e) { return e as Error; } })();
      if (target instanceof Error) { io.err(describeError(target) + '\n'); code = 2; return; }
      await action(async (warden, o) => {
        const namespace = o.namespace;
        const q = { ...target, namespace, name };
        let d: Decision | Explanation;
        if (o.as || o.asGroup?.length) {
          const attrs: AccessAttributes = { ...q, user: o.as ?? '', groups: o.asGroup };
          d = o.explain ? await warden.explain(attrs) : await warden.can(attrs);
        } else d = await warden.selfCan(q);
        io.out(d.allowed ? `${paint(io, 'yes', 'green')}\n` : `${paint(io, 'no', 'red')}\n`);
        if (o.explain) {
          if (d.reason) io.out(`${d.reason}\n`);
          if ('considered' in d && !d.allowed) io.out(explanationText(d as Explanation));
        }
        return d.allowed ? 0 : 1;
      }, true)(...rest);
    });

  withOutput(command('who-can', 'List every subject that may do VERB on RESOURCE, with the bindings that grant it', 'warden who-can get secrets -n payments -o json'))
    .argument('<verb>').argument('<resource>', 'RESOURCE[.GROUP][/SUBRESOURCE]').argument('[name]')
    .option('-n, --namespace <ns>', 'namespace')
    .action(action(async (warden, o) => {
      const cmd = program.commands.find((c) => c.name() === 'who-can')!;
      const [verb, resource, name] = cmd.args;
      const t = parseTarget(verb, resource);
      if (!t.resource) throw new UsageError('who-can takes a resource, not a URL path');
      const subjects = await collect(io, 'subjects', warden.whoCan({ verb, resource: t.resource, group: t.group, subresource: t.subresource, namespace: o.namespace, name }));
      print(io, o.output as Format, subjects, () => table(['KIND', 'NAME', 'NAMESPACE', 'BINDINGS'], subjects.map((s) => [
        s.kind, s.name, s.namespace ?? '',
        s.privileged ? `(group ${s.privileged})` : s.bindings.map((b) => `${b.kind}/${b.namespace ? `${b.namespace}/` : ''}${b.name}`).join(', '),
      ])));
      return 0;
    }, true));

  withOutput(command('rules', 'List what a subject may do in a namespace', 'warden rules --as alice --as-group team-a -n payments'))
    .requiredOption('--as <user>', 'the user').option('--as-group <group>', 'a group of that user (repeatable)', repeat)
    .option('-n, --namespace <ns>', 'namespace')
    .action(action(async (warden, o) => {
      const rules = await warden.rules({ user: o.as, groups: o.asGroup, namespace: o.namespace ?? '' });
      print(io, o.output as Format, rules, () => rulesTable(rules));
      return 0;
    }, true));

  withOutput(command('traffic', 'Check whether FROM may connect to TO: prints yes or no, exits 0 or 1', 'warden traffic shop/app=web shop/app=db --port 5432'))
    .argument('<from>', 'NAMESPACE/key=value,... (a pod) or an IP').argument('<to>', 'NAMESPACE/key=value,... (a pod) or an IP')
    .requiredOption('--port <port>', 'port number or name').option('--protocol <protocol>', 'TCP, UDP or SCTP', 'TCP')
    .action(action(async (warden, o) => {
      const cmd = program.commands.find((c) => c.name() === 'traffic')!;
      const [from, to] = cmd.args;
      const port = /^\d+$/.test(o.port) ? Number(o.port) : o.port;
      const s = await warden.traffic({ source: parseEndpoint(from), destination: parseEndpoint(to), port, protocol: o.protocol });
      if (o.output !== 'table') print(io, o.output as Format, s, () => '');
      else {
        io.out(s.allowed ? `${paint(io, 'yes', 'green')}\n` : `${paint(io, 'no', 'red')}\n`);
        if (s.reason) io.out(`${s.reason}\n`);
      }
      return s.allowed ? 0 : 1;
    }));

  withOutput(command('what-if', 'Show who would gain or lose what if the objects in a file were applied; nothing is written', 'warden what-if -f binding.yaml --can "delete pods -n payments --as bob"'))
    .requiredOption('-f, --filename <file>', 'YAML or JSON objects to apply (- for stdin); a document {apply, delete} also names deletions')
    .option('--can <question>', '"VERB RESOURCE [-n NS] --as USER [--as-group G]" to answer before and after (repeatable)', repeat)
    .action(action(async (warden, o) => {
      const docs = YAML.parseAllDocuments(await readInput(o.filename)).map((d) => d.toJS()).filter((d) => d);
      const apply: Record<string, unknown>[] = [];
      const del: { kind?: string; namespace?: string; name?: string }[] = [];
      for (const d of docs) {
        if (d.kind === 'List' && Array.isArray(d.items)) apply.push(...d.items);
        else if (!d.kind && (d.apply || d.delete)) { apply.push(...(d.apply ?? [])); del.push(...(d.delete ?? [])); }
        else apply.push(d);
      }
      const questions = (o.can ?? []).map(parseQuestion);
      const r = await warden.whatIf({ apply, delete: del }, questions);
      print(io, o.output as Format, r, () => {
        const subject = (e: (typeof r.entries)[number]) => `${e.subject?.kind}/${e.subject?.namespace ? `${e.subject.namespace}:` : ''}${e.subject?.name}`;
        const rule = (p: { verbs?: string[]; resources?: string[]; apiGroups?: string[]; nonResourceURLs?: string[] }) =>
          `${(p.verbs ?? []).join(',')} ${(p.resources ?? p.nonResourceURLs ?? []).join(',')}${p.apiGroups?.some(Boolean) ? `.${p.apiGroups.filter(Boolean).join(',')}` : ''}`;
        let text = r.entries.length
          ? table(['SUBJECT', 'NAMESPACE', 'GAINED', 'LOST'], r.entries.map((e) => [subject(e), e.namespace || '*', (e.gained ?? []).map(rule).join('; '), (e.lost ?? []).map(rule).join('; ')]))
          : 'No permission changes.\n';
        if (r.answers.length) {
          text += '\n' + table(['QUESTION', 'NOW', 'AFTER'], r.answers.map((a, i) => [o.can[i], a.before ? 'yes' : 'no', a.after ? 'yes' : 'no']));
        }
        return text;
      });
      return 0;
    }));

  withOutput(command('apply', 'Apply the objects of a file (or - for stdin) in one all-or-nothing request', 'warden apply -f rbac.yaml --dry-run'))
    .requiredOption('-f, --filename <file>', 'YAML or JSON objects (- for stdin)')
    .option('--dry-run', 'validate and report, write nothing')
    .option('--field-manager <name>', 'field manager name', 'warden')
    .action(action(async (warden, o) => {
      const text = await readInput(o.filename);
      const items = await warden.apply(text, { dryRun: o.dryRun, fieldManager: o.fieldManager });
      print(io, o.output as Format, items, () => items.map((i) => `${String(i.kind).toLowerCase()}/${i.metadata?.name} ${o.dryRun ? 'applied (dry run)' : 'applied'}`).join('\n') + '\n');
      return 0;
    }));

  withOutput(command('history', 'List the changes of stored objects, newest first', 'warden history --kind RoleBinding -n payments --since 1h'))
    .option('--kind <kind>', 'object kind (Role, RoleBinding, ...)').option('--name <name>', 'object name')
    .option('-n, --namespace <ns>', 'namespace').option('--actor <user>', 'who wrote it').option('--since <duration>', 'only changes this recent (1h, 30m, 7d)')
    .action(action(async (warden, o) => {
      const since = o.since ? new Date(Date.now() - parseDuration(o.since, '--since')) : undefined;
      const changes = await collect(io, 'changes', warden.changes({ kind: o.kind, name: o.name, namespace: o.namespace, actor: o.actor, since }));
      print(io, o.output as Format, changes, () => table(['REVISION', 'TIME', 'ACTOR', 'OPERATION', 'KIND', 'NAMESPACE', 'NAME'],
        changes.map((c) => [String(c.revision), c.time, c.actor, c.operation, c.object.kind, c.object.namespace ?? '', c.object.name])));
      return 0;
    }));

  withOutput(command('decisions', 'List recorded decisions, newest first', 'warden decisions --user alice --denied --since 1h'))
    .option('--user <user>', 'about this user').option('--verb <verb>').option('--resource <resource>').option('-n, --namespace <ns>')
    .option('--denied', 'only refusals').option('--allowed', 'only allowed').option('--since <duration>', 'only decisions this recent (1h, 30m)')
    .action(action(async (warden, o) => {
      const since = o.since ? new Date(Date.now() - parseDuration(o.since, '--since')) : undefined;
      const allowed = o.denied ? false : o.allowed ? true : undefined;
      const items = await collect(io, 'decisions', warden.decisions({ user: o.user, verb: o.verb, resource: o.resource, namespace: o.namespace, allowed, since }));
      print(io, o.output as Format, items, () => table(['TIME', 'KIND', 'USER', 'VERB', 'RESOURCE', 'NAMESPACE', 'ALLOWED', 'REASON'],
        items.map((d) => [d.spec.at, d.spec.kind, d.spec.subject.user, d.spec.verb ?? '', d.spec.resource ?? d.spec.path ?? '', d.spec.namespace ?? '', d.status.allowed ? 'yes' : 'no', d.status.reason])));
      return 0;
    }));

  withOutput(command('matrix', 'An access matrix of resources × verbs (yes, no, partial) for a user, or of subjects × verbs for a resource', 'warden matrix -n payments --as alice'))
    .option('-n, --namespace <ns>', 'namespace').option('--as <user>', 'the user').option('--as-group <group>', 'a group of that user (repeatable)', repeat)
    .option('--subjects-of <resource>', 'RESOURCE[.GROUP]: who may do what to it')
    .option('--verbs <verbs>', 'comma-separated verbs', matrixVerbs.join(','))
    .action(action(async (warden, o) => {
      const vs = String(o.verbs).split(',').map(parseVerb);
      if (!!o.as === !!o.subjectsOf) throw new UsageError('give exactly one of --as USER or --subjects-of RESOURCE');
      if (o.subjectsOf) {
        const t = parseTarget('get', o.subjectsOf);
        const rows = new Map<string, { kind: string; name: string; namespace?: string; verbs: Set<string> }>();
        for (const verb of vs) {
          for await (const s of warden.whoCan({ verb, resource: t.resource!, group: t.group, subresource: t.subresource, namespace: o.namespace })) {
            const key = `${s.kind}/${s.namespace ?? ''}/${s.name}`;
            if (!rows.has(key)) rows.set(key, { kind: s.kind, name: s.name, namespace: s.namespace, verbs: new Set() });
            rows.get(key)!.verbs.add(verb);
          }
        }
        const data = [...rows.values()].map((r) => ({ kind: r.kind, name: r.name, namespace: r.namespace, ...Object.fromEntries(vs.map((v) => [v, r.verbs.has(v) ? 'yes' : 'no'])) }));
        print(io, o.output as Format, data, () => table(['SUBJECT', ...vs.map((v) => v.toUpperCase())],
          [...rows.values()].map((r) => [`${r.kind}/${r.namespace ? `${r.namespace}:` : ''}${r.name}`, ...vs.map((v) => mark(io, r.verbs.has(v) ? 'yes' : 'no'))])));
        return 0;
      }
      const resources = matrixResources(o.namespace);
      const questions = resources.flatMap((r) => vs.map((verb) => ({ user: o.as, groups: o.asGroup, verb, ...r, namespace: o.namespace })));
      const answers = await warden.canMany(questions);
      const rules = await warden.rules({ user: o.as, groups: o.asGroup, namespace: o.namespace ?? '' });
      const cell = (r: { resource: string; group?: string }, verb: string, i: number) => {
        if (answers[i].allowed) return 'yes';
        const named = (rules.resourceRules ?? []).some((x) => (x.resourceNames ?? []).length > 0 && (x.verbs ?? []).some((v) => v === verb || v === '*')
          && (x.resources ?? []).some((n) => n === r.resource || n === '*') && (x.apiGroups ?? []).some((g) => g === (r.group ?? '') || g === '*'));
        return named ? 'partial' : 'no';
      };
      const data = resources.map((r, ri) => ({ resource: r.group ? `${r.resource}.${r.group}` : r.resource, ...Object.fromEntries(vs.map((v, vi) => [v, cell(r, v, ri * vs.length + vi)])) }));
      print(io, o.output as Format, data, () => table(['NAME', ...vs.map((v) => v.toUpperCase())],
        data.map((d) => [d.resource, ...vs.map((v) => mark(io, (d as Record<string, string>)[v]))])));
      return 0;
    }, true));

  withOutput(command('risks', 'List dangerous or broken grants, most severe first', 'warden risks -n payments'))
    .option('-n, --namespace <ns>', 'one namespace (default: the whole cluster)')
    .option('--include-defaults', "also report Kubernetes' bootstrap defaults")
    .action(action(async (warden, o) => {
      const r = await warden.risks({ namespace: o.namespace, includeDefaults: o.includeDefaults });
      print(io, o.output as Format, r.findings, () => (r.findings.length
        ? table(['SEVERITY', 'TYPE', 'NAMESPACE', 'MESSAGE'], r.findings.map((f) => [f.severity ?? '', f.type ?? '', f.namespace ?? '*', f.message ?? '']))
        : 'No findings.\n'));
      return 0;
    }));

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    io.err(describeError(err) + '\n');
    return 2;
  }
  return code;
}

const matrixVerbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** The resources of the matrix, as rakkess shows the common ones. */
function matrixResources(namespace?: string): { resource: string; group?: string }[] {
  const namespaced = [
    { resource: 'pods' }, { resource: 'services' }, { resource: 'configmaps' }, { resource: 'secrets' }, { resource: 'serviceaccounts' },
    { resource: 'resourcequotas' }, { resource: 'deployments', group: 'apps' }, { resource: 'statefulsets', group: 'apps' },
    { resource: 'jobs', group: 'batch' }, { resource: 'roles', group: 'rbac.authorization.k8s.io' },
    { resource: 'rolebindings', group: 'rbac.authorization.k8s.io' }, { resource: 'networkpolicies', group: 'networking.k8s.io' },
  ];
  if (namespace) return namespaced;
  return [...namespaced, { resource: 'namespaces' }, { resource: 'clusterroles', group: 'rbac.authorization.k8s.io' },
    { resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io' }, { resource: 'tenants', group: 'tenancy.warden.dev' }];
}

function mark(io: Io, v: string): string {
  return paint(io, v, v === 'yes' ? 'green' : v === 'no' ? 'red' : 'yellow');
}

/** kubectl auth can-i --list's layout. */
function rulesTable(rules: { resourceRules?: { verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }[]; nonResourceRules?: { verbs?: string[]; nonResourceURLs?: string[] }[] }): string {
  const rows: string[][] = [];
  for (const r of rules.resourceRules ?? []) {
    const groups = (r.apiGroups ?? ['']);
    for (const res of r.resources ?? []) for (const g of groups) rows.push([g ? `${res}.${g}` : res, '[]', `[${(r.resourceNames ?? []).join(' ')}]`, `[${(r.verbs ?? []).join(' ')}]`]);
  }
  for (const r of rules.nonResourceRules ?? []) rows.push(['', `[${(r.nonResourceURLs ?? []).join(' ')}]`, '[]', `[${(r.verbs ?? []).join(' ')}]`]);
  return table(['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs'], rows);
}

/** "VERB RESOURCE [NAME] [-n NS] --as USER [--as-group G]..." */
function parseQuestion(text: string): AccessAttributes {
  const words = text.trim().split(/\s+/);
  const q: Partial<AccessAttributes> & { groups: string[] } = { groups: [] };
  const positional: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '-n' || w === '--namespace') q.namespace = words[++i];
    else if (w === '--as') q.user = words[++i];
    else if (w === '--as-group') q.groups.push(words[++i]);
    else positional.push(w);
  }
  if (positional.length < 2 || !q.user) throw new UsageError(`--can ${JSON.stringify(text)}: expected "VERB RESOURCE [NAME] [-n NS] --as USER"`);
  const t = parseTarget(positional[0], positional[1]);
  return { ...t, name: positional[2], namespace: q.namespace, user: q.user, groups: q.groups };
}

async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

/** A denial's explanation for a terminal: the bindings that applied, their roles' rules, and what was missing. */
function explanationText(d: { considered: { binding: { kind: string; namespace?: string; name: string }; role: { kind: string; name: string }; roleFound: boolean; rules?: { verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }[] }[]; hidden: number; missing?: string }): string {
  let out = '';
  if (d.considered.length || d.hidden) {
    out += '\nBindings that applied:\n';
    for (const c of d.considered) {
      const b = `${c.binding.kind} ${c.binding.namespace ? `${c.binding.namespace}/` : ''}${c.binding.name}`;
      out += `  ${b} -> ${c.role.kind} ${c.role.name}${c.roleFound ? '' : ' (not found)'}\n`;
      for (const r of c.rules ?? []) {
        const what = r.nonResourceURLs?.length ? r.nonResourceURLs.join(',')
          : `${(r.resources ?? []).join(',')}${r.apiGroups?.some((g) => g !== '') ? ` (${r.apiGroups.map((g) => g || 'core').join(',')})` : ''}${r.resourceNames?.length ? ` named ${r.resourceNames.join(',')}` : ''}`;
        out += `      ${(r.verbs ?? []).join(',')} on ${what}\n`;
      }
    }
    if (d.hidden) out += `  and ${d.hidden} the caller may not read\n`;
  } else out += '\nNo binding applies to the subject here.\n';
  if (d.missing) out += `Missing: ${d.missing}\n`;
  return out;
}
