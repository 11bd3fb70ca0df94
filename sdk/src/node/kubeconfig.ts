/**
 * Reads a kubeconfig as kubectl does: the files of `KUBECONFIG` (colon
 * separated, the first to set a value wins) or `~/.kube/config`; the
 * current context, or the one named; its cluster's server and CA
 * (`certificate-authority` relative to the file, or `-data`) and its
 * user's token (`token` or `tokenFile`). A file that is not a kubeconfig,
 * a missing context, cluster or user is a WardenError naming what.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { WardenError } from '../errors.js';

export interface Connection {
  baseUrl: string;
  token?: string;
  ca?: string;
  insecureSkipTLSVerify?: boolean;
}

interface Named<T> { name?: string; value: T; dir: string }

type Cluster = { server?: string; 'certificate-authority'?: string; 'certificate-authority-data'?: string; 'insecure-skip-tls-verify'?: boolean };
type User = { token?: string; tokenFile?: string };
type Ctx = { cluster?: string; user?: string; namespace?: string };

function bad(file: string, message: string): WardenError {
  return new WardenError(0, 'BadKubeconfig', `kubeconfig ${file}: ${message}`);
}

/** The kubeconfig files kubectl would read. */
export function kubeconfigFiles(explicit?: string, env = process.env): string[] {
  if (explicit) return [explicit];
  if (env.KUBECONFIG) return env.KUBECONFIG.split(path.delimiter).filter(Boolean);
  return [path.join(os.homedir(), '.kube', 'config')];
}

export interface Kubeconfig {
  currentContext?: string;
  contexts: Map<string, Named<Ctx>>;
  clusters: Map<string, Named<Cluster>>;
  users: Map<string, Named<User>>;
}

export async function loadKubeconfig(files: string[]): Promise<Kubeconfig> {
  const out: Kubeconfig = { contexts: new Map(), clusters: new Map(), users: new Map() };
  let read = 0;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      // As kubectl: a missing file among several is skipped; the only one, or one named explicitly, is an error.
      if (files.length > 1 && (err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw bad(file, `cannot read: ${(err as Error).message}`);
    }
    read++;
    let doc: unknown;
    try {
      doc = YAML.parse(text);
    } catch (err) {
      throw bad(file, `not YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== 'object' || Array.isArray(doc)) throw bad(file, 'not a kubeconfig (expected a mapping with clusters, users and contexts)');
    const d = doc as Record<string, unknown>;
    const dir = path.dirname(path.resolve(file));
    if (!out.currentContext && typeof d['current-context'] === 'string' && d['current-context']) out.currentContext = d['current-context'];
    for (const [key, map, inner] of [['contexts', out.contexts, 'context'], ['clusters', out.clusters, 'cluster'], ['users', out.users, 'user']] as const) {
      const list = d[key];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) throw bad(file, `${key}: must be a list`);
      list.forEach((e, i) => {
        if (!e || typeof e !== 'object' || typeof e.name !== 'string') throw bad(file, `${key}[${i}].name: Required value`);
        const value = e[inner] ?? {};
        if (typeof value !== 'object') throw bad(file, `${key}[${i}].${inner}: must be a mapping`);
        if (!map.has(e.name)) (map as Map<string, Named<unknown>>).set(e.name, { name: e.name, value, dir });
      });
    }
  }
  if (read === 0) throw bad(files.join(path.delimiter), 'no such file');
  return out;
}

/** The server, CA and token of a context (the current one unless named). */
export async function readKubeconfig(opts: { path?: string; context?: string } = {}): Promise<Connection & { namespace?: string }> {
  const files = kubeconfigFiles(opts.path);
  const where = files.join(path.delimiter);
  const kc = await loadKubeconfig(files);
  const name = opts.context || kc.currentContext;
  if (!name) throw bad(where, 'no current-context is set and no context was named');
  const ctx = kc.contexts.get(name);
  if (!ctx) throw bad(where, `context ${JSON.stringify(name)} does not exist`);
  const cluster = ctx.value.cluster ? kc.clusters.get(ctx.value.cluster) : undefined;
  if (!cluster) throw bad(where, `context ${JSON.stringify(name)}: cluster ${JSON.stringify(ctx.value.cluster ?? '')} does not exist`);
  const server = cluster.value.server;
  if (typeof server !== 'string' || !/^https?:\/\//.test(server)) throw bad(where, `cluster ${JSON.stringify(cluster.name)}: server must be an http(s) URL`);
  const conn: Connection & { namespace?: string } = { baseUrl: server };
  if (ctx.value.namespace) conn.namespace = ctx.value.namespace;
  const c = cluster.value;
  if (c['certificate-authority-data']) conn.ca = Buffer.from(c['certificate-authority-data'], 'base64').toString('utf8');
  else if (c['certificate-authority']) {
    const file = path.resolve(cluster.dir, c['certificate-authority']);
    try {
      conn.ca = await readFile(file, 'utf8');
    } catch (err) {
      throw bad(where, `cluster ${JSON.stringify(cluster.name)}: certificate-authority ${file}: ${(err as Error).message}`);
    }
  }
  if (c['insecure-skip-tls-verify'] === true) conn.insecureSkipTLSVerify = true;
  const user = ctx.value.user ? kc.users.get(ctx.value.user) : undefined;
  if (ctx.value.user && !user) throw bad(where, `context ${JSON.stringify(name)}: user ${JSON.stringify(ctx.value.user)} does not exist`);
  if (user?.value.token) conn.token = user.value.token;
  else if (user?.value.tokenFile) {
    const file = path.resolve(user.dir, user.value.tokenFile);
    try {
      conn.token = (await readFile(file, 'utf8')).trim();
    } catch (err) {
      throw bad(where, `user ${JSON.stringify(user.name)}: tokenFile ${file}: ${(err as Error).message}`);
    }
  }
  return conn;
}
