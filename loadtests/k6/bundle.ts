/**
 * Bundles the k6 script with esbuild: our TypeScript definitions become one ES module that k6
 * runs as is (k6's own modules stay external).
 */
import { build } from "esbuild";
import { join } from "node:path";

export async function bundleK6Script(outfile: string): Promise<string> {
  await build({
    entryPoints: [join(__dirname, "script.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2020",
    external: ["k6", "k6/*"],
    logLevel: "silent",
  });
  return outfile;
}
