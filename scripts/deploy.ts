/**
 * `npm run deploy -- <env> [cdktf deploy options]`: the deploy preflight (every missing setting,
 * secret, tool, credential or network path at once, exit 2), then `cdktf deploy <env>`.
 * `npx cdktf deploy <env>` runs the same preflight from inside the app; this command also sees
 * the TF_VAR_* secrets on systems where the app cannot read them off the CLI.
 */
import { spawn } from "node:child_process";
import { CLOUD_ENVIRONMENT_NAMES, type CloudEnvironmentName } from "../environments";
import { deployPreflight, formatPreflight } from "../environments/deploy-preflight";

async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || !(CLOUD_ENVIRONMENT_NAMES as readonly string[]).includes(name)) {
    console.error(`usage: npm run deploy -- <${CLOUD_ENVIRONMENT_NAMES.join("|")}> [cdktf deploy options, e.g. --auto-approve]`);
    return 2;
  }
  const { problems } = await deployPreflight(name as CloudEnvironmentName, { env: process.env });
  if (problems.length > 0) {
    console.error(formatPreflight(`deploy ${name}`, problems));
    return 2;
  }
  return new Promise((resolve) => {
    const child = spawn("npx", ["cdktf", "deploy", name, ...rest], { stdio: "inherit", env: { ...process.env, CHECKPOINT_DISABLE: "1", VALORIZE_PREFLIGHT_DONE: "1" } });
    child.once("exit", (code) => resolve(code ?? 1));
    child.once("error", (error) => {
      console.error(`could not start cdktf: ${error.message}`);
      resolve(1);
    });
  });
}

main().then((code) => process.exit(code));
