/**
 * The Docker Compose deployment, checked piece by piece without a Docker engine: the compose
 * file's wiring, the Dockerfile's build and runtime contract, the health check run against
 * a real HTTP server, and the container command's handling of SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { loadConfig } from '../../api/config.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

// ---- Dockerfile --------------------------------------------------------------------------

interface Instruction { op: string; args: string }

/** Instructions in order, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  const logical = text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').replace(/\\\n/g, ' ');
  return logical.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op.toUpperCase(), args: rest.join(' ') };
  });
}

const dockerfile = instructions(read('Dockerfile'));
const ops = (op: string): Instruction[] => dockerfile.filter((i) => i.op === op);
const indexOf = (pred: (i: Instruction) => boolean): number => dockerfile.findIndex(pred);

function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of ops('ENV')) {
    for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
  }
  return env;
}

function execForm(args: string): string[] {
  assert.ok(args.startsWith('['), `expected the exec (JSON array) form, got: ${args}`);
  return JSON.parse(args) as string[];
}

const healthcheck = ops('HEALTHCHECK')[0];
/** The image's health check in compose's notation: `['CMD', argv...]`. */
const imageProbe = ['CMD', ...execForm(healthcheck.args.slice(healthcheck.args.indexOf('CMD ') + 4))];
const command = execForm(ops('CMD')[0].args);

// ---- docker-compose.yml ------------------------------------------------------------------

interface Service {
  image?: string; build?: unknown; init?: boolean; environment?: Record<string, string> | string[];
  ports?: (string | { published: string | number; target: number; protocol?: string })[];
  depends_on?: Record<string, { condition?: string }> | string[]; healthcheck?: { test: string[] };
  volumes?: (string | { source: string; target: string })[]; stop_grace_period?: string;
  command?: unknown; entrypoint?: unknown; restart?: string;
}
const compose = YAML.parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>; volumes?: Record<string, unknown>;
};
const replicaNames = ['warden-1', 'warden-2'];
const replicas = replicaNames.map((name) => ({ name, svc: compose.services[name] }));

function envOf(svc: Service): Record<string, string> {
  const e = svc.environment ?? {};
  if (!Array.isArray(e)) return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]));
  return Object.fromEntries(e.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}
/** What the server sees in a replica's container: the image's ENV, overridden by compose. */
const containerEnv = (svc: Service): Record<string, string> => ({ ...imageEnv(), ...envOf(svc) });

function portMappings(svc: Service): { host: number; container: number; protocol: string }[] {
  return (svc.ports ?? []).map((p) => {
    if (typeof p !== 'string') return { host: Number(p.published), container: p.target, protocol: p.protocol ?? 'tcp' };
    const [spec, protocol = 'tcp'] = p.split('/');
    const parts = spec.split(':');
    return { host: Number(parts.at(-2)), container: Number(parts.at(-1)), protocol };
  });
}

function durationMs(d: string): number {
  let ms = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * { ms: 1, s: 1e3, m: 60e3, h: 3600e3 }[m[2]]!;
  return ms;
}

// ---- .dockerignore -----------------------------------------------------------------------

function ignoredByDocker(): (rel: string) => boolean {
  const rules = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const negate = l.startsWith('!');
    const glob = l.replace(/^!/, '').replace(/^\/+|\/+$/g, '');
    const re = glob.split('/').map((seg) => seg === '**' ? '.*' : seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('/');
    return { negate, re: new RegExp(`^${re.replace(/\.\*\//g, '(?:.*/)?')}$`) };
  });
  // A pattern excludes a path when it matches the path or one of its parent folders.
  return (rel) => {
    const prefixes = rel.split('/').map((_, i, all) => all.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const r of rules) if (prefixes.some((p) => r.re.test(p))) ignored = !r.negate;
    return ignored;
  };
}
const ignored = ignoredByDocker();
const copySources = ops('COPY').flatMap(({ args }) => {
  const parts = args.split(/\s+/).filter((a) => !a.startsWith('--'));
  return parts.slice(0, -1).map((p) => p.replace(/\/+$/, ''));
});

/**
 * The image's /app, laid out in a temporary folder without Docker: each COPY as the builder
 * performs it over the .dockerignore'd context, the repo's node_modules standing in for
 * `npm ci`, then `npm run db:generate`. Returns the folder; the caller removes it.
 */
function stageImage(): string {
  const workdir = ops('WORKDIR').at(-1)!.args;
  const stage = mkdtempSync(path.join(tmpdir(), 'warden-image-'));
  for (const { args } of ops('COPY')) {
    const parts = args.split(/\s+/).filter((a) => !a.startsWith('--'));
    const dest = path.join(stage, path.posix.relative(workdir, path.posix.resolve(workdir, parts.at(-1)!)));
    for (const src of parts.slice(0, -1).map((p) => p.replace(/\/+$/, ''))) {
      const from = path.join(root, src);
      const isDir = statSync(from).isDirectory();
      const to = isDir || !parts.at(-1)!.endsWith('/') ? dest : path.join(dest, path.basename(src));
      mkdirSync(isDir ? to : path.dirname(to), { recursive: true });
      cpSync(from, to, { recursive: true, filter: (f) => !ignored(path.relative(root, f).split(path.sep).join('/')) });
    }
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'));
  const generate = spawnSync('npm', ['run', 'db:generate'], { cwd: stage, encoding: 'utf8' });
  assert.equal(generate.status, 0, `npm run db:generate in the staged image: ${generate.stderr}`);
  return stage;
}

// ---- processes ---------------------------------------------------------------------------

function run(argv: string[], env: Record<string, string | undefined>, cwd = root): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env: env as NodeJS.ProcessEnv, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}
/**
 * The command runs in its own process group, as alone as in a container: whatever it does with
 * signals stays inside the group, which this kills whole once the test is done with it.
 */
function killGroup(child: ChildProcess): void {
  try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* the group has already exited */ }
}
const probeArgv = (probe: string[]): string[] => { assert.equal(probe[0], 'CMD'); return probe.slice(1); };

async function withReadyzServer<T>(status: number, body: (port: number) => Promise<T>): Promise<T> {
  const server = createServer((req, res) => { res.statusCode = req.url === '/readyz' ? status : 404; res.end(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try { return await body((server.address() as AddressInfo).port); } finally { server.close(); }
}
const freePort = (): Promise<number> => withReadyzServer(404, async (port) => port);

// ---- tests -------------------------------------------------------------------------------

test('both replicas reach the postgres service by its service name, with its credentials', () => {
  for (const { name, svc } of replicas) {
    assert.ok(svc, `service ${name} is defined`);
    const url = new URL(envOf(svc).DATABASE_URL);
    assert.equal(url.protocol, 'postgres:', name);
    const db = compose.services[url.hostname];
    assert.ok(db, `${name}: DATABASE_URL host "${url.hostname}" is a compose service`);
    assert.match(db.image ?? '', /^postgres:15/);
    const pg = envOf(db);
    assert.deepEqual(
      [url.username, url.password, url.pathname.slice(1), url.port || '5432'],
      [pg.POSTGRES_USER, pg.POSTGRES_PASSWORD, pg.POSTGRES_DB, pg.PGPORT ?? '5432'],
      `${name}: DATABASE_URL matches ${url.hostname}'s user, password, database and port`,
    );
  }
});

test('postgres keeps its data in a named volume and reports health with pg_isready', () => {
  const pg = compose.services.postgres;
  const mount = (pg.volumes ?? []).map((v) => typeof v === 'string' ? v.split(':') : [v.source, v.target])
    .find(([, target]) => target === '/var/lib/postgresql/data');
  assert.ok(mount, 'postgres mounts /var/lib/postgresql/data');
  assert.ok(compose.volumes && mount[0] in compose.volumes, `"${mount[0]}" is a declared named volume`);
  assert.match(pg.healthcheck?.test.join(' ') ?? '', /pg_isready\b.*-U warden.*-d warden/);
});

test('both replicas start only once postgres reports healthy', () => {
  for (const { name, svc } of replicas) {
    assert.ok(!Array.isArray(svc.depends_on), `${name}: depends_on uses the long form with a condition`);
    assert.equal(svc.depends_on?.postgres?.condition, 'service_healthy', name);
  }
});

test('replicas publish distinct host ports onto the port the image listens on', () => {
  const exposed = ops('EXPOSE').flatMap((i) => i.args.split(/\s+/)).map((p) => Number(p.split('/')[0]));
  assert.deepEqual(exposed, [Number(imageEnv().PORT)], 'EXPOSE names the image\'s PORT');
  const hostPorts = replicas.map(({ name, svc }) => {
    const maps = portMappings(svc);
    assert.equal(maps.length, 1, `${name} publishes one port`);
    assert.equal(maps[0].container, Number(containerEnv(svc).PORT), `${name} maps onto the port Warden listens on`);
    assert.equal(maps[0].protocol, 'tcp');
    return maps[0].host;
  });
  assert.deepEqual(hostPorts, [8081, 8082]);
});

test('inside a container the server listens on all interfaces', () => {
  assert.equal(imageEnv().HOST, '0.0.0.0');
  for (const { name, svc } of replicas) assert.equal(containerEnv(svc).HOST, '0.0.0.0', name);
});

test('the admin token comes from the environment, and compose refuses to start without it', () => {
  const tokens = replicas.map(({ svc }) => envOf(svc).WARDEN_ADMIN_TOKEN);
  for (const t of tokens) assert.match(t, /^\$\{WARDEN_ADMIN_TOKEN:\?[^}]+\}$/);
  assert.equal(new Set(tokens).size, 1, 'every replica accepts the same admin token');
  assert.equal(imageEnv().WARDEN_ADMIN_TOKEN, undefined, 'the image bakes in no token');
});

test('each replica\'s environment is a valid Warden configuration whose drain fits the stop grace period', () => {
  for (const { name, svc } of replicas) {
    const { WARDEN_ADMIN_TOKEN: _token, ...env } = containerEnv(svc);
    const config = loadConfig(env);
    assert.equal(config.databaseUrl, envOf(svc).DATABASE_URL);
    const grace = durationMs(svc.stop_grace_period ?? '10s');
    assert.ok(grace > config.shutdownDelayMs + config.shutdownTimeoutMs + 5_000, `${name}: stop_grace_period ${grace}ms outlasts the ${config.shutdownDelayMs}ms drain delay and the ${config.shutdownTimeoutMs}ms drain`);
    assert.equal(svc.restart, 'unless-stopped', name);
  }
});

test('health checks pass only while /readyz answers 200 on the container\'s PORT', async () => {
  const probes = [imageProbe, ...replicas.map(({ svc }) => svc.healthcheck?.test ?? [])];
  for (const p of probes) assert.deepEqual(p, imageProbe, 'compose runs the image\'s own probe');
  const argv = probeArgv(imageProbe);
  assert.equal(await withReadyzServer(200, (port) => run(argv, { PATH: process.env.PATH, PORT: String(port) })), 0);
  assert.equal(await withReadyzServer(503, (port) => run(argv, { PATH: process.env.PATH, PORT: String(port) })), 1);
  assert.equal(await run(argv, { PATH: process.env.PATH, PORT: String(await freePort()) }), 1, 'nothing listening');
});

test('the image installs from the lockfile before copying sources, then generates the Prisma client', () => {
  const manifests = indexOf((i) => i.op === 'COPY' && /\bpackage\.json\b/.test(i.args) && /\bpackage-lock\.json\b/.test(i.args));
  const install = indexOf((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
  const firstSource = indexOf((i) => i.op === 'COPY' && !/package(-lock)?\.json/.test(i.args));
  const prismaCopy = indexOf((i) => i.op === 'COPY' && /\bprisma\//.test(i.args));
  const generate = indexOf((i) => i.op === 'RUN' && /\bnpm run db:generate\b/.test(i.args));
  assert.ok(manifests >= 0 && install > manifests && firstSource > install, 'manifests, npm ci, then sources');
  assert.ok(generate > prismaCopy && prismaCopy > install, 'db:generate runs once prisma/ is in place');
  assert.match(dockerfile[install].args, /--ignore-scripts/, 'no dependency install script runs in the build');
  assert.match(ops('FROM')[0].args, /^node:20-bookworm-slim\b/);
  assert.ok(ops('USER').length && ops('USER').at(-1)!.args !== 'root', 'the server runs as a non-root user');
});

test('every path the Dockerfile copies exists and is not excluded by .dockerignore', () => {
  assert.ok(copySources.length > 0);
  for (const src of copySources) {
    assert.ok(existsSync(path.join(root, src)), `${src} exists`);
    assert.equal(ignored(src), false, `${src} is not excluded from the build context`);
  }
  for (const local of ['node_modules', '.warden-data', 'prisma/generated', '.git', '.env']) assert.ok(ignored(local), `${local} stays out of the context`);
});

test('the image holds every module the server and db:generate load, and its packages are not dev-only', () => {
  const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
  const inImage = (rel: string): boolean => rel.startsWith('prisma/generated/')
    || copySources.some((src) => (rel === src || rel.startsWith(`${src}/`)) && !ignored(rel));
  const seen = new Set<string>();
  const queue = ['api/main.ts', 'prisma/cli.ts'];
  for (const entry of queue) assert.ok(existsSync(path.join(root, entry)), `${entry} exists`);
  while (queue.length) {
    const rel = queue.pop()!;
    if (seen.has(rel)) continue;
    seen.add(rel);
    assert.ok(inImage(rel), `${rel} is copied into the image`);
    const text = read(rel);
    const specs = [
      ...[...text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(?!type\s)[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g)].map((m) => m[1]),
      ...[...text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)].map((m) => m[1]),
      ...[...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]),
    ];
    for (const spec of specs) {
      if (spec.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec));
        if (existsSync(path.join(root, target))) queue.push(target);
        else assert.ok(target.startsWith('prisma/generated/'), `${rel} imports ${spec}, which exists`);
        continue;
      }
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (spec.startsWith('node:') || builtinModules.includes(name)) continue;
      assert.ok(name in pkg.dependencies, `${rel} imports ${name}, which npm ci --omit=dev installs`);
    }
  }
});

test('the container runs node on api/main.ts as its main process, the same entry as npm start', () => {
  assert.deepEqual(command, ['node', '--import', 'tsx', 'api/main.ts']);
  assert.equal(ops('ENTRYPOINT').length, 0, 'no entrypoint wraps the command in a shell');
  for (const { name, svc } of replicas) {
    assert.equal(svc.command, undefined, `${name} keeps the image's command`);
    assert.equal(svc.entrypoint, undefined, `${name} keeps the image's entrypoint`);
    assert.equal(svc.init, true, `${name} runs an init that forwards signals`);
  }
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  assert.match(scripts.start ?? '', /\bapi\/main\.ts\b/, 'npm start serves the same entry file');
  assert.match(scripts.start ?? '', /--max-old-space-size=768\b/, 'npm start runs with the same heap limit as the image');
  assert.match(read('Dockerfile'), /NODE_OPTIONS=--max-old-space-size=768\b/, 'the image runs with a heap limit');
});

test('SIGTERM sent to the container command\'s process reaches the TypeScript program it runs', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-cmd-'));
  const cleanups: (() => void)[] = [];
  try {
    const program = path.join(dir, 'main.ts');
    writeFileSync(program, [
      "const drained: string = 'drained\\n';",
      'process.on(\'SIGTERM\', () => { process.stdout.write(drained); process.exit(0); });',
      "process.stdout.write('ready\\n');",
      'setInterval(() => {}, 1000);',
    ].join('\n'));
    const child = spawn(command[0], [...command.slice(1, -1), program], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => killGroup(child));
    let out = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const ready = new Promise<void>((r) => child.stdout.on('data', (d: Buffer) => { out += d; if (out.includes('ready')) r(); }));
    await Promise.race([ready, exited]);
    assert.equal(out, 'ready\n', 'the command runs the program and keeps running');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(out, 'ready\ndrained\n');
  } finally {
    for (const cleanup of cleanups.splice(0)) cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the server, run from the image\'s files in its environment, turns healthy, then stops on SIGTERM within the grace period', { timeout: 120_000 }, async () => {
  assert.ok(existsSync(path.join(root, 'api/main.ts')), 'api/main.ts exists');
  const stage = stageImage();
  const port = await freePort();
  const svc = replicas[0].svc;
  // The replica's environment, with an embedded throwaway database in place of the server.
  const { DATABASE_URL: _db, ...env } = containerEnv(svc);
  Object.assign(env, { PATH: process.env.PATH!, PORT: String(port), WARDEN_DATA_DIR: 'memory://', WARDEN_ADMIN_TOKEN: 'compose-test-admin-token-0123456789', WARDEN_LOG_LEVEL: 'silent' });
  const child = spawn(command[0], command.slice(1), { cwd: stage, env, detached: true, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  try {
    const deadline = Date.now() + durationMs('60s');
    let healthy = false;
    while (!healthy && Date.now() < deadline && child.exitCode === null) {
      healthy = (await run(probeArgv(imageProbe), { PATH: process.env.PATH, PORT: String(port) })) === 0;
      if (!healthy) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(healthy, 'the health check passes within the start period');
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    const grace = durationMs(svc.stop_grace_period ?? '10s');
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([exited, new Promise<null>((r) => { timer = setTimeout(() => r(null), grace); })]);
    clearTimeout(timer);
    assert.ok(result, `exits within stop_grace_period (${grace}ms)`);
    assert.equal(result.signal, null, 'the server handles SIGTERM itself (as PID 1 it would otherwise ignore it)');
    assert.equal(result.code, 0);
    assert.ok(Date.now() - stoppedAt < grace);
  } finally {
    killGroup(child);
    rmSync(stage, { recursive: true, force: true });
  }
});

test('docker compose accepts the file, and rejects it without WARDEN_ADMIN_TOKEN', (t) => {
  const version = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    t.skip(`the docker compose CLI is not available here (${version.error?.message ?? version.stderr.trim()})`);
    return;
  }
  const config = (env: NodeJS.ProcessEnv) => spawnSync('docker', ['compose', '-f', 'docker-compose.yml', 'config', '-q'], { cwd: root, env, encoding: 'utf8' });
  const ok = config({ ...process.env, WARDEN_ADMIN_TOKEN: 'compose-test-admin-token-0123456789' });
  assert.equal(ok.status, 0, ok.stderr);
  const { WARDEN_ADMIN_TOKEN: _unset, ...without } = process.env;
  const missing = config(without);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /WARDEN_ADMIN_TOKEN/);
});
