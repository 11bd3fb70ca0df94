// Builds the dashboard (ui/src) into ui/dist, served by Warden at /ui/.
// The SDK resolves to its TypeScript sources (the `@warden/source` condition).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  plugins: [preact({ devToolsInProd: false, prefreshEnabled: false })],
  resolve: { conditions: ['@warden/source', 'module', 'browser', 'development|production'] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 400,
  },
  logLevel: 'warn',
});
