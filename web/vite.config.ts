import { defineConfig } from "vite";

// JSX compiles to preact's automatic runtime (tsconfig: jsxImportSource).
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
  },
} as Parameters<typeof defineConfig>[0]);
