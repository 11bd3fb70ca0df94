// Loads the SDK: its build in dist/ when that is newer than every source
// file (or there are no sources, as in a published package), else the
// TypeScript sources through tsx, so a fresh checkout works without a build.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function mtime(p) {
  try { return statSync(p).mtimeMs; } catch { return -1; }
}

let fromSources;
/** Whether the sources must be run (no build, or one older than them). */
export function useSources() {
  if (fromSources === undefined) {
    const built = mtime(here('./dist/index.js'));
    const src = mtime(here('./src')) < 0 ? -1 : newest(here('./src'));
    fromSources = src >= 0 && built < src;
  }
  return fromSources;
}

/** Imports `name` (a path below src/ or dist/, without extension). */
export async function load(name) {
  if (!useSources()) return import(new URL(`./dist/${name}.js`, import.meta.url).href);
  if (!globalThis.__wardenTsx) {
    const { register } = await import('tsx/esm/api');
    register();
    globalThis.__wardenTsx = true;
  }
  return import(new URL(`./src/${name}.ts`, import.meta.url).href);
}
