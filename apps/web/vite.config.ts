import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The web app: one SPA for the patient portal (/), the staff console (/staff) and HIE
// administration (/admin). Staff and admin are separate chunks loaded on demand, so the portal's
// first load stays small (a test holds it under 200 KB of gzipped JavaScript). Nothing is loaded
// from other origins at run time: the server's Content-Security-Policy allows only its own.
// In development, `npm run dev -w @kennebec/web` serves it with the API proxied to the server.
const api = process.env.KENNEBEC_API ?? 'http://localhost:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
    // No inline <script> or data: modules: the Content-Security-Policy forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    manifest: true,
  },
  server: {
    proxy: Object.fromEntries(['/api', '/fhir', '/oauth2', '/dev', '/healthz'].map((p) => [p, { target: api, changeOrigin: false }])),
  },
});
