/** Baseline for `npm run bench:synth`: the same toolchain (tsx, cdktf, one deep provider import) synthesizing one resource. */
import { ProjectService } from "@cdktf/provider-google/lib/project-service";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { App, TerraformStack } from "../../lib/cdktf";
import { synthWithoutTokenTraces } from "../../lib/fast-synth";

synthWithoutTokenTraces(() => {
  const app = new App({ stackTraces: false });
  const stack = new TerraformStack(app, "trivial");
  new GoogleProvider(stack, "google", { project: "trivial-project" });
  new ProjectService(stack, "run", { service: "run.googleapis.com" });
  return app;
});
