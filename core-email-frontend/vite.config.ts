import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `vite` (dev) on 5173 and `vite preview` (the built dist/) on 4173, the port the original dashboard used
// and the one the producer's CORS_ORIGINS allows by default.
export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true },
  preview: { port: 4173, strictPort: true },
  build: { outDir: 'dist', sourcemap: true },
});
