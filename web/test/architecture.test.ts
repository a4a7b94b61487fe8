// The shape of web/src: no import cycles, and the layers import only
// downwards (ui → features → state → api; i18n below them all). Imports are
// read from the source text, type-only ones included: a cycle through types
// still ties the modules together.
/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";

// Every module of src, as text, keyed by its path relative to src.
const SOURCES: Record<string, string> = Object.fromEntries(
  Object.entries(import.meta.glob<string>("../src/**/*.{ts,tsx}", { query: "?raw", import: "default", eager: true })).map(([path, text]) => [path.slice("../src/".length), text]),
);

// join resolves a relative specifier against a directory ("" is src).
function join(dir: string, spec: string): string {
  const parts = dir ? dir.split("/") : [];
  for (const p of spec.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== ".") parts.push(p);
  }
  return parts.join("/");
}

const dirname = (file: string) => (file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "");

// importsOf lists the relative module specifiers of a TypeScript source:
// static imports and re-exports (type-only too), side-effect imports and
// dynamic import() with a literal.
function importsOf(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specs: string[] = [];
  const patterns = [/\b(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g];
  for (const re of patterns) for (const m of text.matchAll(re)) specs.push(m[1]);
  return specs.filter((s) => s.startsWith("."));
}

// graph maps each file (relative to src, with its extension) to the files
// it imports. Specifiers that are not modules (styles.css) are dropped.
function graph(): Map<string, string[]> {
  const known = new Set(Object.keys(SOURCES));
  const out = new Map<string, string[]>();
  for (const [file, text] of Object.entries(SOURCES)) {
    const deps: string[] = [];
    for (const spec of importsOf(text)) {
      const base = join(dirname(file), spec);
      const hit = ["", ".ts", ".tsx", "/index.ts", "/index.tsx"].map((e) => base + e).find((c) => known.has(c));
      if (hit) deps.push(hit);
      else if (!/\.(css|svg|png)$/.test(spec)) throw new Error(`${file}: cannot resolve ${spec}`);
    }
    out.set(file, deps);
  }
  return out;
}

// findCycles returns every strongly connected component that is a cycle
// (more than one module, or a module importing itself), each sorted.
function findCycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return cycles;
}

// What each layer must not import (by top-level folder of src).
// sw/ is the service worker, a bundle of its own: it may use api/'s types,
// and nothing of the page imports it (a shared module would become a chunk
// the classic worker script cannot load).
const FORBIDDEN: Record<string, string[]> = {
  api: ["state", "features", "ui", "sw"],
  state: ["features", "ui", "sw"],
  features: ["ui", "sw"],
  ui: ["sw"],
  i18n: ["api", "state", "features", "ui", "sw"],
  sw: ["state", "features", "ui", "i18n"],
};

function layerOf(file: string): string {
  return file.includes("/") ? file.slice(0, file.indexOf("/")) : "";
}

function layerViolations(g: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [file, deps] of g) {
    const banned = FORBIDDEN[layerOf(file)] ?? [];
    for (const dep of deps) if (banned.includes(layerOf(dep))) out.push(`${file} imports ${dep}`);
  }
  return out;
}

describe("the checks themselves", () => {
  it("reads every kind of import", () => {
    const src = [
      `import { a } from "./a";`,
      `import type { B } from "../b";`,
      `import {\n  c,\n  type D,\n} from "./c";`,
      `export { e } from "./e";`,
      `export * from "./f";`,
      `import "./g.css";`,
      `const h = await import("./h");`,
      `import { render } from "preact";`,
      `// import { x } from "./commented";`,
      `/* import { y } from "./block"; */`,
    ].join("\n");
    expect(importsOf(src)).toEqual(["./a", "../b", "./c", "./e", "./f", "./g.css", "./h"]);
  });

  it("finds cycles, long and short, and nothing in a tree", () => {
    const g = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", []],
      ["e", ["e"]],
      ["f", ["d"]],
    ]);
    expect(findCycles(g)).toEqual([["a", "b", "c"], ["e"]]);
    expect(findCycles(new Map([["x", ["y"]], ["y", []]]))).toEqual([]);
  });

  it("flags an import against the layering", () => {
    const g = new Map([
      ["api/socket.ts", ["state/store.ts"]],
      ["state/store.ts", ["api/protocol.gen.ts"]],
      ["features/uploads.ts", ["ui/common/context.ts", "state/store.ts"]],
      ["ui/App.tsx", ["features/uploads.ts"]],
      ["api/protocol.gen.ts", []],
    ]);
    expect(layerViolations(g)).toEqual(["api/socket.ts imports state/store.ts", "features/uploads.ts imports ui/common/context.ts"]);
  });
});

describe("web/src", () => {
  const g = graph();

  it("has the layers", () => {
    expect(g.size).toBeGreaterThan(40);
    const layers = new Set([...g.keys()].map(layerOf));
    for (const l of ["api", "state", "features", "ui", "i18n"]) expect(layers).toContain(l);
  });

  it("has no import cycles", () => {
    expect(findCycles(g)).toEqual([]);
  });

  it("imports only downwards: api ← state ← features ← ui", () => {
    expect(layerViolations(g)).toEqual([]);
  });
});
