// The admin SPA build: `vite build web` → web/dist, served by `postlane start` at /.
// JSX goes through Vite's built-in oxc transform (no React plugin needed; no fast refresh in dev).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/t/': 'http://127.0.0.1:8080', '/u/': 'http://127.0.0.1:8080' } },
});
