// The support widget's build: one self-contained classic script (an IIFE,
// no chunks, its CSS inlined as a string for its shadow root) at the
// versioned path widget/v1/widget.js. The app's build (vite.config.ts)
// runs it after its own bundle; test/widget/size.test.ts runs it into a
// temporary directory to hold the size budget.
// (Web APIs only, no node: modules: the type check has no Node types.)
import { build, type InlineConfig, type Plugin, type Rolldown } from "vite";

export const WIDGET_PATH = "widget/v1/widget.js";
// The budget the issue sets: under 40 KB gzipped.
export const WIDGET_BUDGET_BYTES = 40 * 1024;

const here = (file: string) => decodeURIComponent(new URL(file, import.meta.url).pathname);

// asciiOnly escapes every non-ASCII character of the bundle (they are all
// in string literals: the words, "★", "…") as \uXXXX, so a host page or a
// server that serves the script without a charset cannot garble them.
function asciiOnly(): Plugin {
  return {
    name: "backchannel-widget-ascii",
    enforce: "post",
    generateBundle(_opts, bundle) {
      for (const c of Object.values(bundle)) if (c.type === "chunk") c.code = c.code.replace(/[^\x00-\x7f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
    },
  };
}

export function widgetConfig(outDir: string): InlineConfig {
  return {
    plugins: [asciiOnly()],
    configFile: false,
    mode: "production",
    logLevel: "warn",
    oxc: { jsx: { runtime: "automatic", importSource: "preact", development: false } },
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
    build: {
      outDir,
      emptyOutDir: false,
      target: "es2020",
      sourcemap: false,
      minify: true,
      copyPublicDir: false,
      lib: {
        entry: here("./main.tsx"),
        formats: ["iife"],
        name: "BackchannelWidgetBundle",
        fileName: () => WIDGET_PATH,
      },
    },
  };
}

export interface WidgetSize {
  file: string;
  bytes: number;
  gzipped: number;
}

export async function gzipSize(code: string): Promise<number> {
  const gz = new Blob([code]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(gz).arrayBuffer()).byteLength;
}

// buildWidget builds the widget into outDir and returns its size.
export async function buildWidget(outDir: string): Promise<WidgetSize> {
  const out = (await build(widgetConfig(outDir))) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
  const chunks = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output).filter((c) => c.type === "chunk");
  if (/[^\x00-\x7f]/.test(chunks[0]?.code ?? "")) throw new Error("widget: the bundle is not ASCII");
  if (chunks.length !== 1 || chunks[0].fileName !== WIDGET_PATH) throw new Error(`widget: expected one chunk ${WIDGET_PATH}, got ${chunks.map((c) => c.fileName).join(", ")}`);
  const code = chunks[0].code;
  return { file: `${outDir}/${WIDGET_PATH}`, bytes: new TextEncoder().encode(code).length, gzipped: await gzipSize(code) };
}

export function describeSize(s: WidgetSize): string {
  const kb = (n: number) => (n / 1024).toFixed(1);
  return `widget: ${WIDGET_PATH} ${kb(s.bytes)} KB, ${kb(s.gzipped)} KB gzipped (budget ${WIDGET_BUDGET_BYTES / 1024} KB)`;
}

// widgetBundle is the app build's plugin: once the app is written, build
// the widget beside it and print its gzipped size; over budget fails.
export function widgetBundle(): Plugin {
  let outDir = "dist";
  return {
    name: "backchannel-widget",
    apply: "build",
    configResolved(cfg) {
      outDir = cfg.build.outDir.startsWith("/") ? cfg.build.outDir : `${cfg.root}/${cfg.build.outDir}`;
    },
    async closeBundle() {
      const size = await buildWidget(outDir);
      console.log(describeSize(size));
      if (size.gzipped > WIDGET_BUDGET_BYTES) throw new Error(`widget: over its size budget (${size.gzipped} > ${WIDGET_BUDGET_BYTES} bytes gzipped)`);
    },
  };
}
