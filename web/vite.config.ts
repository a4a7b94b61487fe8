import { defineConfig, type Plugin } from "vitest/config";
import { widgetBundle } from "./widget/build.ts";

// The files from public/ the service worker precaches with the build's own.
const PUBLIC_SHELL = ["/manifest.webmanifest", "/icons/icon-192.png", "/icons/badge-96.png"];
const PLACEHOLDER = /(["'`])__BACKCHANNEL_PRECACHE__\1/;

const here = (file: string) => decodeURIComponent(new URL(file, import.meta.url).pathname);

// serviceWorker: src/sw/sw.ts is a second entry, written as /sw.js (the
// root scope needs it at the root), with the list of what the build wrote
// (index.html as "/", the hashed bundles) in place of its placeholder. The
// worker must stay a single classic script: the build fails if it imports
// a chunk.
function serviceWorker(): Plugin {
  return {
    name: "backchannel-service-worker",
    apply: "build",
    enforce: "post",
    generateBundle(_opts, bundle) {
      const sw = bundle["sw.js"];
      if (!sw || sw.type !== "chunk") throw new Error("service worker: no sw.js chunk");
      if (sw.imports.length > 0 || sw.dynamicImports.length > 0) throw new Error(`service worker: sw.js imports ${sw.imports.join(", ")}: keep it self-contained`);
      const files = Object.keys(bundle)
        .filter((f) => f !== "sw.js" && !f.endsWith(".map"))
        .map((f) => (f === "index.html" ? "/" : `/${f}`))
        .sort();
      if (!files.includes("/")) throw new Error("service worker: index.html is not in the bundle yet");
      if (!PLACEHOLDER.test(sw.code)) throw new Error("service worker: the precache placeholder is missing");
      sw.code = sw.code.replace(PLACEHOLDER, JSON.stringify([...files, ...PUBLIC_SHELL]));
    },
  };
}

// JSX compiles to preact's automatic runtime (as tsconfig's jsxImportSource
// says for the type checker). Tests live in test/ (unit) and e2e/ (browser,
// run with node --test, not Vitest).
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  // widgetBundle: after the app, the support widget (widget/) is built on its
  // own into dist/widget/v1/widget.js (one self-contained script; see
  // widget/build.ts), and its gzipped size printed.
  plugins: [serviceWorker(), widgetBundle()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    rollupOptions: {
      input: { index: here("index.html"), sw: here("src/sw/sw.ts") },
      output: { entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js") },
    },
  },
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    environment: "node",
  },
});
