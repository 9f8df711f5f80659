import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import securityHeaders from './security-headers.json';

// `vite` (dev) on 5173 and `vite preview` (the built dist/) on 4173, the port the original dashboard used
// and the one the producer's CORS_ORIGINS allows by default. `test`: the component tests (src/**/*.test.ts
// and .tsx, beside what they test) in jsdom; scripts/run-tests.mjs runs them with the browser tests.
export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true },
  // `npm start` serves the built bundle as nginx does, with the same headers (its API is on localhost:3000).
  preview: {
    port: 4173,
    strictPort: true,
    headers: Object.fromEntries(
      Object.entries(securityHeaders).map(([k, v]) => [
        k,
        v.replace('{{API_ORIGIN}}', 'http://localhost:3000'),
      ]),
    ),
  },
  // No source maps in the built bundle: it is what production serves (the dev server maps on its own).
  build: { outDir: 'dist', sourcemap: false },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
  },
});
