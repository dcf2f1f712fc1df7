import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev -w @interdict/web` serves the console with hot reload and sends the API and the
// ledger tiles to a server started with `npx interdict start` (port 8080).
export default defineConfig({
  plugins: [react()],
  resolve: {
    // @interdict/core (shared with the ledger verifier that runs here) reads CSV with csv-parse,
    // whose default entry needs Node's Buffer and stream at import time; its browser build
    // carries its own.
    alias: [{ find: /^csv-parse$/, replacement: 'csv-parse/browser/esm' }],
  },
  server: { proxy: { '/api': 'http://localhost:8080', '/ledger': 'http://localhost:8080' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Capability pages (charts, maps) are their own lazy chunks and may be large; the entry is not.
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // React, the router and TanStack Query (all needed by the entry) in chunks that change
          // only when those dependencies do, so a console update does not make browsers fetch
          // them again. Mantine stays split per page: a group would pull every page's components
          // into the entry.
          groups: [
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/,
            },
            { name: 'query', test: /node_modules[\\/]@tanstack[\\/]/ },
          ],
        },
      },
    },
  },
});
