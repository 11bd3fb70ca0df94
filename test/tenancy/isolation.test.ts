/**
 * Tenant isolation, walked over every route: alice owns tenant acme; each
 * row of the matrix is sent as alice at tenant bolt's objects (its existing
 * object, a missing name, a missing namespace) and must be refused (or, for
 * self reviews, answer "not allowed") with the same answer whichever it
 * was, writing nothing. The same row aimed at acme's own object answers as
 * `admin` in acme's namespaces allows.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { routes } from '../../api/routes.ts';
import { startTestWarden, type TestWarden } from '../support/warden.ts';
import { currentRevision } from '../../prisma/store/read.ts';
import { api, mergePatch, ok, type Api } from '../api/client.ts';
import { kindOfAim, matrix, otherTargets, requestOf, tenantAgnostic, type Row, type Target } from './matrix.ts';
import type { Obj } from '../api/builders.ts';
import { alice, normalized, seedPlatform, stateOf, tenantNamespace } from './support.ts';

let w: TestWarden;
let admin: Api;
let owner: Api;
let boltBefore: Obj;

before(async () => {
  w = await startTestWarden();
  admin = api(w);
  owner = alice(w);
  await seedPlatform(admin);
  boltBefore = await stateOf(admin, 'bolt');
});
after(async () => { await w?.close(); });

/** The store's revision, read directly: every write bumps it. */
const revision = () => currentRevision(w.warden.deps.db.prisma);

async function send(who: Api, row: Row, t: Target, extraQuery = ''): Promise<Response> {
  const { method, path: base } = requestOf(row, t);
  const path = extraQuery ? `${base}${base.includes('?') ? '&' : '?'}${extraQuery}` : base;
  const body = row.body?.(t);
  switch (method) {
    case 'get': return who.get(path);
    case 'delete': return who.delete(path, body);
    case 'patch': return who.patch(path, body ?? {}, row.type ?? mergePatch);
    default: return who[method](path, body ?? {}, row.type);
  }
}

const expectation = (row: Row) => (row.other && 'code' in row.other ? row.other.what : '403 or 404');

describe('an owner of one tenant aimed at another tenant and at cluster-scoped objects', () => {
  for (const row of matrix) {
    test(`${row.route} at ${row.aim}: ${expectation(row)}, the same for existing and missing names, nothing written`, async () => {
      const rev = await revision();
      const answers: unknown[] = [];
      for (const t of otherTargets(row.aim)) {
        const res = await send(owner, row, t);
        const other = row.other;
        if (other && 'code' in other) {
          assert.equal(res.status, other.code, `${JSON.stringify(t)}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
          other.check(res.body as Obj);
        } else {
          assert.ok(res.status === 403 || res.status === 404, `${JSON.stringify(t)}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
          assert.equal(res.body.kind, 'Status');
        }
        answers.push(normalized(res, { namespace: t.ns, name: t.name }));
      }
      if (!row.namesAreGlobal) for (const a of answers.slice(1)) assert.deepEqual(a, answers[0], 'an existing and a missing name get the same answer');
      assert.equal(await revision(), rev, 'nothing was written');
    });
  }
});

/** An object of acme's for the row to act on: created by the admin unless the row creates it. */
async function ownTarget(row: Row, i: number): Promise<Target> {
  const [method, template] = row.route.split(' ');
  const creates = method === 'post' && (template.endsWith(`/${kindOfAim(row.aim).plural}`) || template.endsWith('/apply'));
  switch (row.aim) {
    case 'tenant': return { name: 'acme' };
    case 'namespace': {
      const t = { name: `acme-own-${i}` };
      ok(await admin.post('/api/v1/namespaces', tenantNamespace(t.name, 'acme', { row: String(i) })), 201);
      return t;
    }
    case 'clusterrole': case 'clusterbinding': case 'user': case 'token': case 'crd':
      return otherTargets(row.aim)[0];
    default: {
      const t = { ns: 'acme-web', name: `own-${i}` };
      const k = kindOfAim(row.aim);
      if (!creates) ok(await admin.post(`${k.base}/namespaces/${t.ns}/${k.plural}`, k.build(t, { row: String(i) })), 201);
      return t;
    }
  }
}

describe('the same calls on the owner\'s own objects', () => {
  matrix.forEach((row, i) => {
    test(`${row.route} at acme's ${row.aim}: ${row.own}`, async () => {
      const t = await ownTarget(row, i);
      const res = await send(owner, row, t, row.route.startsWith('delete ') && !row.route.endsWith('{name}') ? `labelSelector=row%3D${i}` : '');
      assert.equal(res.status, row.own, `HTTP ${res.status} ${JSON.stringify(res.body)}`);
      row.ownCheck?.(res.body as Obj);
    });
  });

  test('a collection delete in the owner\'s namespace removed only the object it selected', async () => {
    const left = (ok(await admin.get('/apis/rbac.authorization.k8s.io/v1/namespaces/acme-web/roles')).items as Obj[]).map((o) => o.metadata.name);
    assert.ok(left.includes('acme-reader'), left.join(','));
  });
});

describe('the matrix and the route table', () => {
  test('every route Warden serves is a row of the matrix or reveals nothing about tenants', () => {
    const served = routes(w.warden.deps).map((r) => `${r.method} ${r.path}`);
    const covered = new Set([...matrix.map((r) => r.route), ...tenantAgnostic]);
    assert.deepEqual(served.filter((r) => !covered.has(r)), [], 'routes without a row');
    assert.deepEqual([...covered].filter((r) => !served.includes(r)), [], 'rows for routes that are not served');
  });

  test('after every call of the matrix, tenant bolt\'s objects are exactly as before', async () => {
    assert.deepEqual(await stateOf(admin, 'bolt'), boltBefore);
  });
});
