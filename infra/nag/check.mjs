// cdk-nag's ServerlessChecks over synthesized templates (make test-infra).
// The Go build of cdk-nag served here (v2.35.0) lacks this pack, so the
// templates the Go tests write are loaded into a CDK app with CfnInclude
// and checked by the npm build, pinned in package.json. Suppressions are
// the cdk_nag metadata the Go stack writes (infra/chatstack/nag.go), each
// with its reason. Unsuppressed errors fail; warnings are listed.
//
//   node infra/nag/check.mjs .cache/infra-templates/*.template.json
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { App, Aspects, LegacyStackSynthesizer, Stack } from "aws-cdk-lib";
import { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { CfnInclude } from "aws-cdk-lib/cloudformation-include";
import { ServerlessChecks } from "cdk-nag";

// --self-test: a bare function without a dead-letter target or failure
// destination must be reported, so a broken check cannot pass silently.
if (process.argv[2] === "--self-test") {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), "nag-")), analyticsReporting: false });
  const stack = new Stack(app, "Bad", { synthesizer: new LegacyStackSynthesizer() });
  new CfnFunction(stack, "Fn", { runtime: "nodejs14.x", handler: "i.h", role: "arn:aws:iam::1:role/r", code: { zipFile: "x" } });
  Aspects.of(app).add(new ServerlessChecks({ verbose: true, reports: false }));
  const errs = app.synth().getStackArtifact(stack.artifactId).messages.filter((m) => m.level === "error").map((m) => String(m.entry.data));
  for (const rule of ["Serverless-LambdaDLQ", "Serverless-LambdaDefaultMemorySize", "Serverless-LambdaLatestVersion"]) {
    if (!errs.some((e) => e.includes(rule))) {
      console.error(`ServerlessChecks self-test: ${rule} not reported on a bare function; got:\n${errs.join("\n")}`);
      process.exit(1);
    }
  }
  console.log("ServerlessChecks self-test: ok (a bare function is reported)");
  process.exit(0);
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node check.mjs TEMPLATE.json...");
  process.exit(2);
}
let errors = 0;
for (const file of files) {
  const outdir = mkdtempSync(join(tmpdir(), "nag-"));
  try {
    const app = new App({ outdir, analyticsReporting: false });
    // The legacy synthesizer adds no BootstrapVersion parameter or rule of
    // its own (the included template has them).
    const stack = new Stack(app, "Checked", { synthesizer: new LegacyStackSynthesizer() });
    new CfnInclude(stack, "Template", { templateFile: file });
    Aspects.of(app).add(new ServerlessChecks({ verbose: true, reports: false }));
    const assembly = app.synth();
    const messages = assembly.getStackArtifact(stack.artifactId).messages;
    const found = { error: [], warning: [] };
    for (const m of messages) {
      if (m.level === "error" || m.level === "warning") found[m.level].push(`${m.id}: ${m.entry.data}`);
    }
    errors += found.error.length;
    console.log(`ServerlessChecks ${basename(file)}: ${found.error.length} unsuppressed errors, ${found.warning.length} warnings`);
    for (const e of found.error) console.log(`  error   ${e}`);
    for (const w of found.warning) console.log(`  warning ${w}`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
process.exit(errors > 0 ? 1 : 0);
