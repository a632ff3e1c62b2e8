/**
 * `npm run policy`: evaluates the policy pack on the real environment stacks (buildApp) and prints
 * rules x stacks with pass / FAIL / warn / suppressed / n/a; exits 1 on any ERROR finding.
 *
 * Each stack is checked with the pack it carries (PolicyPack.of) or, when none is attached, the
 * pack its environment config describes, so the report and `npm run synth` always agree.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Testing } from "../lib/cdktf";
import { PolicyPack } from "../policies/pack";
import { formatPolicyReport, hasErrors, type StackPolicyReport } from "../policies/report";
import { buildApp, formatUnavailable } from "../stacks/app";
import { EnvironmentStack } from "../stacks/environment-stack";

async function main(): Promise<void> {
  process.setSourceMapsEnabled(false);
  // Nothing is written: the App needs an outdir, so give it a throwaway one.
  const outdir = mkdtempSync(join(tmpdir(), "policy-"));
  try {
    const { app, unavailable } = buildApp(new App({ stackTraces: false, outdir }));
    if (unavailable.length > 0) console.log(`${formatUnavailable(unavailable)}\n`);
    const stacks = app.node.children.filter((child): child is EnvironmentStack => child instanceof EnvironmentStack);
    const reports: StackPolicyReport[] = stacks.map((stack) => {
      // Runs the stack's Aspects as synth would (cdktf exports no other way), so the report sees
      // what synth sees; validations are not run, so ERROR findings are reported, not thrown.
      Testing.synth(stack);
      const pack = PolicyPack.of(stack) ?? PolicyPack.forEnvironment(stack.config);
      return { stack: stack.node.id, evaluation: pack.evaluate(stack) };
    });
    console.log(formatPolicyReport(reports));
    process.exitCode = hasErrors(reports) ? 1 : 0;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
