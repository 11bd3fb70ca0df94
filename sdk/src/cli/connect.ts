/**
 * Where the CLI connects, in order: `--server` / `--token` /
 * `--certificate-authority`, then `WARDEN_URL` / `WARDEN_TOKEN` /
 * `WARDEN_CA`, then the kubeconfig (`--kubeconfig`, `KUBECONFIG`,
 * `~/.kube/config`; `--context`). Each setting is taken from the first
 * source that has it.
 */
import { readFile } from 'node:fs/promises';
import { Warden } from '../client.js';
import { readKubeconfig } from '../node/kubeconfig.js';
import { UsageError } from './output.js';

export interface ConnectionFlags {
  server?: string;
  token?: string;
  certificateAuthority?: string;
  insecureSkipTlsVerify?: boolean;
  kubeconfig?: string;
  context?: string;
  requestTimeout?: string;
}

/** `30s`, `500ms`, `2m`, or a number of seconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${what}: invalid duration ${JSON.stringify(text)} (examples: 500ms, 30s, 5m, 1h, 7d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms'];
  return Number(m[1]) * unit;
}

export async function connect(flags: ConnectionFlags, env = process.env): Promise<{ warden: Warden; namespace?: string }> {
  let server = flags.server || env.WARDEN_URL || undefined;
  let token = flags.token || env.WARDEN_TOKEN || undefined;
  const caFile = flags.certificateAuthority || env.WARDEN_CA || undefined;
  let ca: string | undefined;
  let insecure = flags.insecureSkipTlsVerify;
  let namespace: string | undefined;
  if (caFile) {
    try {
      ca = await readFile(caFile, 'utf8');
    } catch (err) {
      throw new UsageError(`certificate authority ${caFile}: ${(err as Error).message}`);
    }
  }
  const explicit = flags.kubeconfig || flags.context || env.KUBECONFIG;
  if (explicit || !server || !token) {
    let kc: Awaited<ReturnType<typeof readKubeconfig>> | undefined;
    try {
      kc = await readKubeconfig({ path: flags.kubeconfig, context: flags.context });
    } catch (err) {
      // The default ~/.kube/config is optional; one named by flag or KUBECONFIG is not.
      if (explicit) throw err;
    }
    if (kc) {
      server ??= kc.baseUrl;
      token ??= kc.token;
      ca ??= kc.ca;
      insecure ??= kc.insecureSkipTLSVerify;
      namespace = kc.namespace;
    }
  }
  if (!server) throw new UsageError('no server: give --server, set WARDEN_URL, or use a kubeconfig (--kubeconfig, KUBECONFIG)');
  if (!/^https?:\/\/[^/]/.test(server)) throw new UsageError(`server ${JSON.stringify(server)}: must be an http:// or https:// URL`);
  if (!token) throw new UsageError('no token: give --token, set WARDEN_TOKEN, or use a kubeconfig user with a token');
  const timeoutMs = flags.requestTimeout ? parseDuration(flags.requestTimeout, '--request-timeout') : 30_000;
  return { warden: new Warden({ baseUrl: server, token, ca, insecureSkipTLSVerify: insecure, timeoutMs }), namespace };
}
