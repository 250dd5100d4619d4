// Builds the Svelte dashboard (dashboard/app) into dashboard/dist, which the dashboard server
// serves at "/". base './' keeps asset URLs relative, so the app also works behind a proxy
// that mounts it under a sub-path.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  root: fileURLToPath(new URL('./app', import.meta.url)),
  base: './',
  // No svelte.config.js: the defaults (Svelte 5 runes, TypeScript types stripped natively) are all we use.
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // One small app: a single chunk is simpler to cache and serve than a split.
    chunkSizeWarningLimit: 400,
  },
});
