/**
 * The real kubectl binary for a test, against a listening Warden over HTTPS
 * (kubectl sends tokens only over TLS): where it is installed (a test skips
 * without it), and a kubectl with the server, a bearer token, no kubeconfig
 * and a temporary folder of its own as HOME, where it also writes manifests.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import type { TestWarden } from './warden.ts';

const exec = promisify(execFile);

export const kubectlPath = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
/** The `skip` option of a test that needs kubectl. */
export const kubectlSkip: string | false = kubectlPath ? false : 'kubectl is not installed on this machine';

export interface KubectlResult { stdout: string; stderr: string; code: number }

export interface KubectlOptions {
  /** The bearer token; the admin's by default. */
  token?: string;
  /** The start of the temporary folder's name. */
  prefix?: string;
  /** A discovery cache of its own per call, so every call reads discovery as it is now. */
  freshCache?: boolean;
}

export interface Kubectl {
  /** The temporary folder: kubectl's HOME, and where file() writes. */
  dir: string;
  /** Runs kubectl; a failure is a non-zero code, never a rejection. */
  run(...args: string[]): Promise<KubectlResult>;
  /** Runs kubectl for its stdout; a failure rejects with execFile's error, whose message holds the stderr. */
  stdout(...args: string[]): Promise<string>;
  /** Starts kubectl and returns the running process, for commands that stream (`get -w`, `wait`). */
  start(...args: string[]): ChildProcess;
  /** This kubectl (same folder) with another bearer token. */
  withToken(token: string): Kubectl;
  /** Writes a manifest into dir and returns its path: a string as it is, an object as YAML, an array as multi-document YAML. */
  file(name: string, content: string | object | object[]): string;
}

/** A kubectl against `w` (which listens with TLS); call it once `w` has started. */
export function kubectlFor(w: TestWarden, opts: KubectlOptions = {}): Kubectl {
  const dir = mkdtempSync(path.join(os.tmpdir(), opts.prefix ?? 'warden-kubectl-'));
  let calls = 0;
  const file = (name: string, content: string | object | object[]): string => {
    const p = path.join(dir, name);
    const docs = Array.isArray(content) ? content : [content];
    writeFileSync(p, typeof content === 'string' ? content : docs.map((o) => YAML.stringify(o)).join('---\n'));
    return p;
  };
  const withToken = (token: string): Kubectl => {
    const argsOf = (args: string[]) => {
      const base = [`--server=${w.warden.tlsUrl}`, '--insecure-skip-tls-verify', `--token=${token}`, '--request-timeout=20s'];
      if (opts.freshCache) base.push(`--cache-dir=${path.join(dir, `cache-${calls++}`)}`);
      return [...base, ...args];
    };
    const env = { ...process.env, KUBECONFIG: '/dev/null', HOME: dir };
    const call = (args: string[]) => exec(kubectlPath!, argsOf(args), { env });
    return {
      dir,
      async run(...args) {
        try {
          const { stdout, stderr } = await call(args);
          return { stdout, stderr, code: 0 };
        } catch (err) {
          const e = err as KubectlResult;
          return { stdout: e.stdout, stderr: e.stderr, code: e.code };
        }
      },
      async stdout(...args) { return (await call(args)).stdout; },
      start: (...args) => spawn(kubectlPath!, argsOf(args), { env, stdio: ['ignore', 'pipe', 'pipe'] }),
      withToken,
      file,
    };
  };
  return withToken(opts.token ?? w.adminToken);
}
