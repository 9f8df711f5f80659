import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// `vite` (dev) on 5173 and `vite preview` (the built dist/) on 4173, the port the original dashboard used
// and the one the producer's CORS_ORIGINS allows by default. `test`: the component tests (src/**/*.test.ts
// and .tsx, beside what they test) in jsdom; scripts/run-tests.mjs runs them with the browser tests.
export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true },
  preview: { port: 4173, strictPort: true },
  build: { outDir: 'dist', sourcemap: true },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
  },
});
