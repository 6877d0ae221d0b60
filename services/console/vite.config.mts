import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The console is static files: the edge (`npm start`) and the console's nginx (Kubernetes, docker
 * compose) serve dist/console. `npx vite --config services/console/vite.config.mts` serves it with
 * hot reload against a running `npm start`.
 */
export default defineConfig({
  root: here('.'),
  plugins: [preact()],
  // The one piece of the platform's code the console shares: the slug rule, for the preview as you type.
  resolve: { alias: { '@cairn/contracts/slug': here('../../libs/contracts/src/slug.ts') } },
  build: {
    outDir: here('../../dist/console'),
    emptyOutDir: true,
    sourcemap: true,
    // On a machine shared by many builds the timing warning says more about the load than the plugins.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: { proxy: Object.fromEntries(['/api', '/auth/dev', '/config.json'].map((path) => [path, 'http://127.0.0.1:8080'])) },
});
