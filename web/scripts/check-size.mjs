// Fails when the built JavaScript, gzipped, is over the budget.
// Usage: node scripts/check-size.mjs [dist] [budgetKB]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dist = process.argv[2] ?? "dist";
const budget = Number(process.argv[3] ?? 200) * 1024;
const dir = join(dist, "assets");
let files;
try {
  files = readdirSync(dir).filter((f) => f.endsWith(".js"));
} catch {
  console.error(`check-size: ${dir} is missing; run the build first`);
  process.exit(2);
}
if (files.length === 0) {
  console.error(`check-size: no JavaScript in ${dir}`);
  process.exit(2);
}
let total = 0;
for (const f of files) {
  const size = gzipSync(readFileSync(join(dir, f)), { level: 9 }).length;
  total += size;
  console.log(`  ${f}  ${(size / 1024).toFixed(1)} KB gzipped`);
}
console.log(`check-size: ${(total / 1024).toFixed(1)} KB gzipped JavaScript (budget ${(budget / 1024).toFixed(0)} KB)`);
if (total > budget) {
  console.error("check-size: over budget");
  process.exit(1);
}
