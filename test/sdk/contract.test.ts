/**
 * The SDK's contract with `openapi.yaml`: its generated types equal a fresh
 * generation from the spec; the SDK compiles against them; every operation
 * of the spec has an SDK method (only operations other programs call are
 * exempt); and the browser entry pulls in nothing from Node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { Warden, operationMethods } from '@warden/sdk';
import { root } from '../support/process.ts';

const run = promisify(execFile);
const sdk = path.join(root, 'sdk');

test('the generated types equal a fresh generation from openapi.yaml', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'warden-sdk-types-'));
  const out = path.join(dir, 'openapi.d.ts');
  await run(process.execPath, [path.join(root, 'node_modules/openapi-typescript/bin/cli.js'), path.join(root, 'openapi.yaml'), '-o', out], { cwd: sdk });
  assert.equal(await readFile(path.join(sdk, 'src/generated/openapi.d.ts'), 'utf8'), await readFile(out, 'utf8'), 'run npm run sdk:generate');
});

test('the SDK compiles against the spec\'s types', async () => {
  await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(sdk, 'tsconfig.json')], { cwd: sdk });
});

test('every operation of openapi.yaml has an SDK method, or a reason it has none', () => {
  const spec = YAML.parse(readFileSync(path.join(root, 'openapi.yaml'), 'utf8'));
  const ids: string[] = [];
  for (const item of Object.values(spec.paths) as Record<string, { operationId?: string }>[]) {
    for (const [method, op] of Object.entries(item)) if (['get', 'put', 'post', 'patch', 'delete'].includes(method) && op.operationId) ids.push(op.operationId);
  }
  const warden = new Warden({ baseUrl: 'http://127.0.0.1:1' });
  const missing = ids.filter((id) => !(id in operationMethods));
  assert.deepEqual(missing, [], 'operations without an SDK method');
  for (const id of ids) {
    const m = operationMethods[id as keyof typeof operationMethods];
    if (typeof m === 'object') {
      assert.match(m.exempt, /kube-apiserver|Prometheus|discovery|the published spec/, `${id} is exempt for a reason`);
      continue;
    }
    const fn = m.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], warden);
    assert.equal(typeof fn, 'function', `${id} -> warden.${m}`);
  }
  assert.deepEqual(Object.keys(operationMethods).filter((k) => !ids.includes(k)), [], 'no method names an operation the spec no longer has');
});

test('the browser entry imports nothing from node:', async () => {
  const files = (await readdir(path.join(sdk, 'src'), { recursive: true })).filter((f) => f.endsWith('.ts') && !f.startsWith('node') && !f.startsWith('cli'));
  for (const f of files) {
    const text = await readFile(path.join(sdk, 'src', f), 'utf8');
    assert.doesNotMatch(text, /from ['"]node:|import\(['"]node:/, `${f} must run in a browser`);
  }
});
