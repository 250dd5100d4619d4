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
    // What the first page needs (sign-in, the Overview with Chart.js) is the main chunk; the other
    // views (App.svelte) and the countries panel's world map (chartjs-chart-geo and world-atlas's
    // shapes, ~70 KB gzipped) load when first shown. Budget: 150 KB gzip for the first page; the
    // README has the figures.
    chunkSizeWarningLimit: 400,
  },
});
