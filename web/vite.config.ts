import { defineConfig } from "vitest/config";

// JSX compiles to preact's automatic runtime (as tsconfig's jsxImportSource
// says for the type checker). Tests live in test/ (unit) and e2e/ (browser,
// run with node --test, not Vitest).
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
  },
});
