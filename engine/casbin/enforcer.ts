/**
 * Casbin enforcers for the RBAC model (policies/rbac-model.conf), whose text
 * is passed in: the engine reads no files.
 *
 * - `createKubeEnforcer` builds an enforcer synchronously, with the kube
 *   matcher functions registered and no policy.
 * - `newPlainEnforcer` loads every projected line into one enforcer: the
 *   reference every faster path must agree with (tests, benchmark).
 * - `plainEnforcerAllows` asks it about a requester: RBAC allows when any
 *   principal of the requester (the user, or one of its groups) is allowed.
 */
import { createRequire } from 'node:module';
import type * as Casbin from 'casbin';
import type { Adapter, Model } from 'casbin';
import type { Attributes } from '../rbac/types.ts';
import { kubeMatcherFunctions, RuleFields } from './functions.ts';
import { casbinRequest, requesterPrincipals, type PolicyLine } from './projection.ts';

/**
 * Casbin's CommonJS build. Its ESM build spreads each request's parameters
 * and functions into the matcher's context one defined property at a time;
 * the CommonJS build uses Object.assign, which costs less on every enforce.
 */
const { Enforcer, FunctionMap, newModelFromString } = createRequire(import.meta.url)('casbin') as typeof Casbin;

/**
 * An Enforcer whose function map holds the kube matcher functions only, from
 * construction on: every enforce copies the whole map into the matcher's
 * context, and the model calls none of Casbin's default functions.
 */
export class KubeEnforcer extends Enforcer {
  /** The decoded policy fields its matcher functions read. */
  readonly fields = new RuleFields();

  constructor() {
    super();
    this.fm = new FunctionMap();
    for (const [name, fn] of Object.entries(kubeMatcherFunctions(this.fields))) this.fm.addFunction(name, fn);
  }
}

/**
 * A synchronous enforcer over `modelText` with no policy lines. Throws when
 * the text is not a Casbin model with the sections RBAC needs.
 */
export function createKubeEnforcer(modelText: string): KubeEnforcer {
  const model = newModelFromString(modelText);
  for (const [sec, key] of [['r', 'r'], ['p', 'p'], ['g', 'g'], ['e', 'e'], ['m', 'm']] as const) {
    if (!model.model.get(sec)?.get(key)) throw new Error(`Casbin model lacks ${sec} (${sectionName[sec]})`);
  }
  const enforcer = new KubeEnforcer();
  enforcer.setModel(model);
  enforcer.initRmMap();
  return enforcer;
}

const sectionName = {
  r: 'request_definition', p: 'policy_definition', g: 'role_definition', e: 'policy_effect', m: 'matchers',
} as const;

/** Loads projected lines the way Casbin's own adapters do; read-only otherwise. */
class LinesAdapter implements Adapter {
  constructor(private readonly lines: { p: readonly PolicyLine[]; g: readonly PolicyLine[] }) {}

  async loadPolicy(model: Model): Promise<void> {
    const p = model.model.get('p')?.get('p');
    const g = model.model.get('g')?.get('g');
    if (!p || !g) throw new Error('Casbin model lacks p or g');
    for (const line of this.lines.p) p.policy.push([...line]);
    for (const line of this.lines.g) g.policy.push([...line]);
  }

  async savePolicy(): Promise<boolean> {
    return false;
  }

  async addPolicy(): Promise<void> {}

  async removePolicy(): Promise<void> {}

  async removeFilteredPolicy(): Promise<void> {}
}

/** One enforcer holding every line, role links built. */
export async function newPlainEnforcer(
  modelText: string,
  lines: { p: readonly PolicyLine[]; g: readonly PolicyLine[] },
): Promise<KubeEnforcer> {
  const enforcer = createKubeEnforcer(modelText);
  enforcer.setAdapter(new LinesAdapter(lines));
  await enforcer.loadPolicy();
  return enforcer;
}

/** True when the enforcer allows the request for any principal of the requester. */
export function plainEnforcerAllows(enforcer: Casbin.Enforcer, attrs: Attributes): boolean {
  for (const principal of requesterPrincipals(attrs.user)) {
    if (enforcer.enforceSync(...casbinRequest(principal, attrs))) return true;
  }
  return false;
}
