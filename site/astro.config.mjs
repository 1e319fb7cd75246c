// @ts-check
/**
 * Astro config for the dashboard site: fully static pages, Preact islands,
 * output in site/dist (the server serves it at `/`).
 */

// Astro's CLI records an anonymous usage event (an HTTPS request) after it has
// loaded this file; the environment variable is read at that moment, so
// setting it here keeps every build offline without touching the user's home.
process.env.ASTRO_TELEMETRY_DISABLED = '1';

import preact from '@astrojs/preact';
import { defineConfig } from 'astro/config';

export default defineConfig({
  output: 'static',
  outDir: './dist',
  integrations: [preact()],
  // The dev toolbar pulls in extra client code and is not wanted in this repo.
  devToolbar: { enabled: false },
  build: {
    // Tiny stylesheets inline; the rest are hashed files the server caches for a year.
    inlineStylesheets: 'auto',
  },
});
