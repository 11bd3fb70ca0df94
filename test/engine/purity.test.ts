/**
 * engine/ is pure: no I/O, framework, database, environment or clock,
 * nothing from api/ or prisma/, and no state of its own: nothing at module
 * level that changes (no `let`, no cache), so two Wardens in one process,
 * or two states, never share anything but constants.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const engineDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'engine');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

const forbidden: [RegExp, string][] = [
  [/from\s+['"](express|pg|pino|@prisma\/[^'"]*|@electric-sql\/[^'"]*)['"]/, 'an I/O or framework package'],
  [/from\s+['"]node:(fs|net|http|https|child_process|dgram|dns|tls|worker_threads)(\/[^'"]*)?['"]/, 'a Node I/O module'],
  [/from\s+['"](\.\.\/)+(api|prisma)\//, 'api/ or prisma/'],
  [/process\.env/, 'the environment'],
  [/Date\.now\(\)|new Date\(\)/, 'the clock'],
  [/console\.(log|warn|error|info)/, 'logging'],
  [/^(let|var)\s/m, 'a module-level variable'],
  // Constant lookups are declared read-only (`const x: ReadonlySet<string> = new Set(...)`); anything else is a cache.
  [/^(export\s+)?const\s+\w+\s*=\s*new\s+(Weak)?(Map|Set)\b/m, 'module-level mutable state (a Map or Set not declared read-only)'],
];

test('no engine file imports I/O, the framework, the store, the environment or the clock, or keeps state of its own', () => {
  const offences: string[] = [];
  for (const f of files(engineDir)) {
    const text = readFileSync(f, 'utf8');
    for (const [re, what] of forbidden) if (re.test(text)) offences.push(`${path.relative(engineDir, f)} uses ${what}`);
  }
  assert.deepEqual(offences, []);
});
