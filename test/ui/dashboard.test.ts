/**
 * The access-review dashboard in a real Chromium against a listening
 * Warden loaded with the demo platform: serving (deep links, assets,
 * security headers), sign-in and sign-out, a check allowed and denied by
 * deep link with its explanation, who-can with filter, pages and CSV,
 * every view loading in its one main landmark with no serious axe-core
 * violation, and what a user who may not do something is told.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdir } from 'node:fs/promises';
import { axeViolations, noBrowser, startDashboard, type Dashboard } from './support.ts';

const shots = new URL('../../tmp/ui-screenshots/', import.meta.url).pathname;
let d: Dashboard;

describe('the dashboard at /ui/', { skip: noBrowser }, () => {
  before(async () => {
    d = await startDashboard();
    await mkdir(shots, { recursive: true });
  });
  after(async () => { await d?.close(); });

  test('is public, answers every deep link with the page, and sends strict security headers', async () => {
    for (const path of ['/ui/', '/ui/check?user=carol&verb=get&resource=pods', '/ui/who-can', '/ui/history', '/ui/subjects/User/alice']) {
      const res = await fetch(`${d.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      const html = await res.text();
      assert.match(html, /<script type="module" crossorigin src="\/ui\/assets\/[^"]+\.js"><\/script>/);
      assert.doesNotMatch(html, /<script>|<script type="module">/, 'no inline script');
    }
    const redirect = await fetch(`${d.url}/ui`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/ui/');
    const missing = await fetch(`${d.url}/ui/assets/missing.js`);
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /^text\/plain/);
    const traversal = await fetch(`${d.url}/ui/assets/..%2f..%2fpackage.json`);
    assert.equal(traversal.status, 404);
    // The API itself is not opened by the dashboard's public paths.
    assert.equal((await fetch(`${d.url}/api/v1/namespaces`)).status, 401);
  });

  test('a bad token is refused with a clear message and the page stays on sign-in', async () => {
    const { page } = await d.page(null);
    await page.goto('/ui/check?user=carol&verb=get&resource=pods&namespace=shop-web');
    await page.getByLabel('Token').fill('wdn_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The token was not accepted' }).waitFor();
    assert.equal(await page.getByLabel('Token').count(), 1);
    assert.equal(await page.evaluate("sessionStorage.getItem('warden.token')"), null);
  });

  test('signing in keeps the deep link, shows who is signed in, and signing out forgets the token', async () => {
    const token = await d.tokenFor('carol');
    const { page } = await d.page(null);
    await page.goto('/ui/history');
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const who = page.getByLabel('Signed in as');
    await who.getByText('carol', { exact: true }).waitFor();
    assert.match(await who.innerText(), /shop-devs/);
    assert.equal(await page.evaluate("sessionStorage.getItem('warden.token')"), token);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Token').waitFor();
    assert.equal(await page.evaluate("sessionStorage.getItem('warden.token')"), null);
  });

  test('a deep link to check shows Allowed with the binding, role and rule that grant it', async () => {
    const { page } = await d.page();
    await page.goto('/ui/check?user=carol&groups=shop-devs&verb=create&resource=deployments&group=apps&namespace=shop-web');
    const decision = page.getByRole('region', { name: 'Decision' });
    await decision.getByText('Allowed', { exact: true }).waitFor();
    const text = await decision.innerText();
    assert.match(text, /RoleBinding shop-web\/deployers/);
    assert.match(text, /Role shop-web\/deployer/);
    assert.match(text, /create/);
    assert.equal(await page.getByLabel('Verb').inputValue(), 'create');
    assert.equal(await page.getByLabel('API group').inputValue(), 'apps');
    assert.equal(await page.locator('main').count(), 1);
    await page.screenshot({ path: `${shots}check-allowed.png`, fullPage: true });
  });

  test('a deep link to check shows Denied with the bindings that applied; the form changes the URL', async () => {
    const { page } = await d.page();
    await page.goto('/ui/check?user=carol&groups=shop-devs&verb=delete&resource=deployments&group=apps&namespace=shop-web');
    const decision = page.getByRole('region', { name: 'Decision' });
    await decision.getByText('Denied', { exact: true }).waitFor();
    assert.match(await decision.innerText(), /deployers/);
    await page.getByLabel('Verb').fill('get');
    await page.getByRole('button', { name: 'Check' }).click();
    await decision.getByText('Allowed', { exact: true }).waitFor();
    assert.match(page.url(), /verb=get/);
    assert.match(page.url(), /namespace=shop-web/);
  });

  test('who can lists the subjects in a table named Subjects, filters them and exports CSV', async () => {
    const { page } = await d.page();
    await page.goto('/ui/who-can?verb=get&resource=pods&namespace=shop-web');
    const table = page.getByRole('table', { name: 'Subjects' });
    await table.getByRole('cell', { name: 'shop-devs', exact: true }).waitFor();
    const all = await table.locator('tbody tr').count();
    assert.ok(all >= 2, `${all} rows`);
    assert.match(await table.innerText(), /RoleBinding shop-web\/deployers/);
    await page.getByLabel('Filter').fill('ci');
    await table.getByRole('cell', { name: 'ci', exact: true }).waitFor();
    assert.equal(await table.getByRole('cell', { name: 'shop-devs', exact: true }).count(), 0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    assert.match(download.suggestedFilename(), /\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r\n/);
    assert.equal(lines[0], 'kind,namespace,name,granted by');
    assert.ok(lines.some((l) => l.startsWith('ServiceAccount,shop-web,ci,')), csv);
    await page.screenshot({ path: `${shots}who-can.png`, fullPage: true });
  });

  const views: [string, RegExp][] = [
    ['/ui/', /Access review/],
    ['/ui/check?user=carol&groups=shop-devs&verb=get&resource=pods&namespace=shop-web', /Allowed/],
    ['/ui/who-can?verb=get&resource=pods&namespace=shop-web', /shop-devs/],
    ['/ui/matrix?user=carol&groups=shop-devs&namespace=shop-web', /deployments\.apps/],
    ['/ui/subjects?kind=Group&name=shop-devs', /get,list,watch,create,update,patch deployments/],
    ['/ui/risks', /finding/],
    ['/ui/what-if', /Change \(YAML\)/],
    ['/ui/network?namespace=shop-payments', /app=payments/],
    ['/ui/quotas', /shop-web \/ compute/],
    ['/ui/history', /deployers/],
  ];

  test('every view loads by direct link, renders in the one main landmark, and has no serious accessibility violation', async () => {
    // Two tabs, each taking every other view: axe-core's run is the slow part, and the browser runs tabs in parallel.
    const sweep = async (mine: [string, RegExp][]) => {
      const { page } = await d.page();
      for (const [path, content] of mine) {
        await page.goto(path);
        const main = page.getByRole('main');
        await main.getByText(content).first().waitFor();
        assert.equal(await page.getByRole('main').count(), 1, path);
        assert.equal(await main.getByRole('alert').count(), 0, `${path}: ${await main.getByRole('alert').allInnerTexts()}`);
        await page.locator('[aria-busy="true"], .loading').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
        // The header and navigation are the same on every view: the whole page is checked once, then each view's main.
        const bad = await axeViolations(page, { only: path === '/ui/' ? undefined : 'main' });
        assert.deepEqual(bad, [], `${path}: ${bad.join('\n')}`);
        await page.screenshot({ path: `${shots}${path.split('?')[0].replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'home'}.png`, fullPage: true });
      }
    };
    await Promise.all([sweep(views.filter((_, i) => i % 2 === 0)), sweep(views.filter((_, i) => i % 2 === 1))]);
  });

  test('the dark theme on a phone-wide screen has no serious accessibility violation and no sideways scrolling', async () => {
    const { page } = await d.page(undefined, { colorScheme: 'dark', viewport: { width: 390, height: 844 } });
    for (const path of ['/ui/check?user=carol&groups=shop-devs&verb=delete&resource=deployments&group=apps&namespace=shop-web', '/ui/who-can?verb=get&resource=pods&namespace=shop-web']) {
      await page.goto(path);
      await page.getByRole('main').locator('h2, table').first().waitFor();
      await page.locator('.loading').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
      const bad = await axeViolations(page, { only: 'main' });
      assert.deepEqual(bad, [], `${path}: ${bad.join('\n')}`);
      // Nothing but a wide table's own scroller is wider than the phone.
      assert.ok(await page.evaluate<number>('document.documentElement.scrollWidth') <= 390, `${path} scrolls sideways`);
    }
  });

  test('history opens the diff of a change, and quota bars say how full each limit is', async () => {
    const { page } = await d.page();
    await page.goto('/ui/history?kind=RoleBinding&cnamespace=shop-web&cname=deployers');
    const change = page.getByRole('region', { name: 'Changes' }).locator('summary').filter({ hasText: 'RoleBinding shop-web/deployers' }).first();
    await change.click();
    const diff = page.getByLabel('Diff of RoleBinding deployers');
    await diff.waitFor();
    assert.match(await diff.innerText(), /^\+ .*"name": "deployers"/m);
    const res = await d.w.http.patch('/api/v1/namespaces/shop-web/resourcequotas/compute/status').set('Authorization', d.w.auth)
      .set('Content-Type', 'application/merge-patch+json').send({ status: { used: { pods: '18', 'requests.cpu': '4', 'requests.memory': '1Gi' } } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await page.goto('/ui/quotas');
    const usage = page.getByRole('table', { name: 'Usage of shop-web/compute' });
    const meter = (name: string) => usage.getByRole('meter', { name: `${name} usage` });
    await meter('pods').waitFor();
    assert.equal(await meter('pods').getAttribute('aria-valuetext'), '90%, near the limit');
    assert.equal(await meter('requests.cpu').getAttribute('aria-valuetext'), '100%, at the limit');
    assert.equal(await meter('requests.memory').getAttribute('aria-valuetext'), '13%');
    const colour = (name: string) => meter(name).locator('span').evaluate((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { backgroundColor: string } }).getComputedStyle(e).backgroundColor);
    const [near, full, fine] = [await colour('pods'), await colour('requests.cpu'), await colour('requests.memory')];
    assert.ok(near !== full && full !== fine && near !== fine, `${near} ${full} ${fine}`);
    await page.screenshot({ path: `${shots}quotas-filled.png`, fullPage: true });
  });

  test('a view follows the policy revision: a new binding shows up in who-can without a reload', async () => {
    const { page } = await d.page();
    await page.goto('/ui/who-can?verb=get&resource=pods&namespace=shop-web');
    const table = page.getByRole('table', { name: 'Subjects' });
    await table.getByRole('cell', { name: 'shop-devs', exact: true }).waitFor();
    const res = await d.w.http.post('/apis/rbac.authorization.k8s.io/v1/namespaces/shop-web/rolebindings').set('Authorization', d.w.auth).send({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'erin-deploys', namespace: 'shop-web' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'erin' }],
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await table.getByRole('cell', { name: 'erin', exact: true }).waitFor({ timeout: 10_000 });
  });

  test('a tenant owner sees its own tenant\'s quotas and subjects alone', async () => {
    const { page } = await d.page(await d.tokenFor('alice'));
    await page.goto('/ui/quotas');
    const main = page.getByRole('main');
    await main.getByText('shop-web / compute').waitFor();
    assert.equal(await main.getByText('analytics-etl / compute').count(), 0);
    assert.equal(await main.getByRole('alert').count(), 0);
    await page.goto('/ui/subjects?kind=Group&name=analysts');
    await main.getByText(/No binding names this subject/).waitFor();
    await page.goto('/ui/subjects?kind=Group&name=shop-devs');
    await main.getByText('RoleBinding shop-web/deployers', { exact: false }).first().waitFor();
    await page.screenshot({ path: `${shots}tenant-owner.png`, fullPage: true });
  });

  test('a server that does not answer shows a message with Retry, and Retry loads the view', async () => {
    const { page } = await d.page();
    await page.goto('/ui/risks');
    await page.getByRole('main').getByText(/finding/).first().waitFor();
    await page.route('**/apis/authorization.warden.dev/v1/riskreviews', (route) => route.abort('connectionrefused'));
    await page.goto('/ui/risks?namespace=shop-web');
    const alert = page.getByRole('main').getByRole('alert').filter({ hasText: 'Warden did not answer' });
    await alert.waitFor();
    await page.unroute('**/apis/authorization.warden.dev/v1/riskreviews');
    await alert.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('table', { name: 'Findings' }).waitFor();
    assert.equal(await page.getByRole('main').getByRole('alert').count(), 0);
  });

  test('network shows the reachability matrix of a namespace, and a cell opens the policies that decide it', async () => {
    const { page } = await d.page();
    await page.goto('/ui/network?namespace=shop-payments&port=8443');
    await page.getByRole('button', { name: 'From shop-web: app=web to app=payments: yes' }).click();
    const conn = page.getByRole('region', { name: 'Connection' });
    await conn.getByText('Allowed', { exact: true }).waitFor();
    assert.match(await conn.innerText(), /allow-web/);
    await page.getByRole('button', { name: 'From (other pods) to app=payments: no' }).click();
    await conn.getByText('Denied', { exact: true }).waitFor();
    await page.goto('/ui/network?namespace=no-such-namespace');
    await page.getByRole('main').getByRole('alert').filter({ hasText: /NotFound|not found/ }).waitFor();
  });

  test('a matrix cell links to its explanation, by subject and by resource', async () => {
    const { page } = await d.page();
    await page.goto('/ui/matrix?user=carol&groups=shop-devs&namespace=shop-web');
    await page.getByRole('link', { name: 'create deployments: yes' }).click();
    await page.getByRole('region', { name: 'Decision' }).getByText('Allowed', { exact: true }).waitFor();
    assert.match(page.url(), /\/ui\/check\?.*verb=create/);
    assert.equal(await page.getByRole('link', { name: 'delete deployments: no' }).count(), 0);
    // Subjects × verbs for one resource; a group's cell opens a check asked for the group alone.
    await page.goto('/ui/matrix?resource=deployments&group=apps&namespace=shop-web');
    await page.getByRole('link', { name: 'Group shop-devs create: yes' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Group shop-devs delete: no' }).count(), 1);
    await page.getByRole('link', { name: 'Group shop-devs create: yes' }).click();
    const decision = page.getByRole('region', { name: 'Decision' });
    await decision.getByText('Allowed', { exact: true }).waitFor();
    assert.match(await decision.innerText(), /RoleBinding shop-web\/deployers/);
  });

  test('what-if shows the permission delta of pasted YAML, and the parser\'s line for malformed YAML', async () => {
    const { page } = await d.page();
    await page.goto('/ui/what-if');
    await page.getByLabel('Change (YAML)').fill('kind: [RoleBinding\nmetadata: {');
    await page.getByRole('button', { name: 'Review change' }).click();
    await page.getByRole('alert').filter({ hasText: /does not parse: line \d+/ }).waitFor();
    await page.getByLabel('Change (YAML)').fill([
      'apiVersion: rbac.authorization.k8s.io/v1', 'kind: RoleBinding', 'metadata: {name: dave-deploys, namespace: shop-web}',
      'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}',
      'subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: dave}]',
    ].join('\n'));
    await page.getByRole('button', { name: 'Review change' }).click();
    const delta = page.getByRole('table', { name: 'Permission delta' });
    await delta.getByText('User dave').waitFor();
    assert.match(await delta.innerText(), /\+ .*deployments/);
    await page.getByRole('button', { name: 'Apply' }).waitFor();
    const before = await d.w.http.get('/apis/rbac.authorization.k8s.io/v1/namespaces/shop-web/rolebindings/dave-deploys').set('Authorization', d.w.auth);
    assert.equal(before.status, 404, 'nothing is written by the review');
  });

  test('a user who may not do something is told why, and its navigation hides what it may not use', async () => {
    const token = await d.tokenFor('carol');
    const { page } = await d.page(token);
    await page.goto('/ui/who-can?verb=get&resource=pods&namespace=shop-web');
    const alert = page.getByRole('main').getByRole('alert');
    await alert.getByText(/You may not ask who can/).waitFor();
    assert.match(await alert.innerText(), /resourceaccessreviews/);
    assert.equal(await page.getByRole('table', { name: 'Subjects' }).count(), 0);
    const nav = page.getByRole('navigation', { name: 'Views' });
    assert.equal(await nav.getByRole('link', { name: 'Who can' }).count(), 0);
    assert.equal(await nav.getByRole('link', { name: 'History' }).count(), 0);
    // A call the server refuses shows the Status message, not a blank page.
    await page.goto('/ui/history');
    const refused = page.getByRole('region', { name: 'Changes' }).getByRole('alert');
    await refused.waitFor();
    assert.match(await refused.innerText(), /^Refused \(403 Forbidden\): changes\.audit\.warden\.dev is forbidden: User "carol" cannot list resource "changes"/);
    await page.screenshot({ path: `${shots}refused.png`, fullPage: true });
  });
});
