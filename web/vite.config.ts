import { defineConfig } from 'vite';

// Preact's JSX through Vite's own transformer: no framework plugin (and no Babel) needed.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The API serves the portal under a strict CSP: no inline scripts, so no inlined assets either.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
  server: { proxy: { '/v1': 'http://localhost:8080', '/dev': 'http://localhost:8080' } },
});
