/**
 * What `npm run synth` prints after synthesizing: the annotations the cdktf CLI would show
 * (warnings and infos; errors fail synth before this) and one line per stack. Read back from the
 * manifest cdktf writes, as the CLI does.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

interface ManifestStack {
  readonly name: string;
  readonly synthesizedStackPath: string;
  readonly annotations: ReadonlyArray<{ readonly constructPath: string; readonly level: string; readonly message: string }>;
}

export interface StackSummary {
  readonly name: string;
  readonly file: string;
  readonly resources: number;
  readonly dataSources: number;
  readonly outputs: number;
  readonly warnings: readonly string[];
  readonly infos: readonly string[];
}

const count = (blocks: Record<string, Record<string, unknown>> | undefined) => Object.values(blocks ?? {}).reduce((sum, byId) => sum + Object.keys(byId).length, 0);

export function summarizeSynth(outdir: string): StackSummary[] {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, ManifestStack> };
  return Object.values(manifest.stacks).map((stack) => {
    const file = join(outdir, stack.synthesizedStackPath);
    const json = JSON.parse(readFileSync(file, "utf8")) as { resource?: Record<string, Record<string, unknown>>; data?: Record<string, Record<string, unknown>>; output?: Record<string, unknown> };
    const at = (level: string) => stack.annotations.filter((a) => a.level === level).map((a) => `${a.constructPath}: ${a.message}`);
    return {
      name: stack.name,
      file,
      resources: count(json.resource),
      dataSources: count(json.data),
      outputs: Object.keys(json.output ?? {}).length,
      warnings: at("@cdktf/warn"),
      infos: at("@cdktf/info"),
    };
  });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function formatSynthSummary(stacks: readonly StackSummary[]): string {
  const notes = stacks.flatMap((s) => [...s.warnings.map((w) => `[WARN] ${w}`), ...s.infos.map((i) => `[INFO] ${i}`)]);
  const width = Math.max(...stacks.map((s) => s.name.length));
  const lines = stacks.map(
    (s) =>
      `${s.name.padEnd(width)}  ${plural(s.resources, "resource")}, ${plural(s.dataSources, "data source")}, ${plural(s.outputs, "output")}, ` +
      `${plural(s.warnings.length, "warning")} -> ${s.file}`,
  );
  return [...notes, ...(notes.length > 0 ? [""] : []), ...lines].join("\n");
}
