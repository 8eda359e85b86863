/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// One SPA served by the ASP.NET server: dist/ files at root paths (/assets/*),
// index.html as the fallback for /designer* and /inbox*.
export default defineConfig({
  base: '/',
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { '/api': 'http://localhost:5080' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    // React and React Flow in chunks of their own (issue 14): the app's own code changes far more often than they do,
    // so a new build re-downloads a smaller main chunk and keeps the libraries cached. No catch-all vendor group: it
    // would pull elkjs (loaded only by Auto layout) into the first page load.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'react-flow', test: /node_modules[\\/](@xyflow|d3-[a-z-]+|classcat)[\\/]/ },
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
          ],
        },
      },
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
  },
});
