/**
 * Builds the dashboard bundle (ui/dist) when any of its sources (ui/src,
 * ui/index.html, ui/vite.config.ts, the SDK's sources) is newer than it, or
 * always with --force. `npm start` runs it first, so a fresh clone needs no
 * separate step.
 */
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function newest(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const e of readdirSync(path)) if (e !== 'dist' && e !== 'node_modules') t = Math.max(t, newest(`${path}/${e}`));
  return t;
}

const sources = Math.max(newest(here('./src')), newest(here('./index.html')), newest(here('./vite.config.ts')), newest(here('../sdk/src')));
const built = statSync(here('./dist/index.html'), { throwIfNoEntry: false })?.mtimeMs ?? -1;
if (process.argv.includes('--force') || built < sources) {
  await build({ configFile: here('./vite.config.ts') });
  console.error('dashboard built into ui/dist');
}
