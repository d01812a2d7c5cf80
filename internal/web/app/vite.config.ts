import { defineConfig } from "vite";

// The build lands in ../dist, which internal/web embeds with go:embed; CI
// rebuilds it from the lockfile and fails when it differs from what is
// committed, so the output must be deterministic (no timestamps, stable names).
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "../dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { "/api": "http://localhost:8080" },
  },
});
