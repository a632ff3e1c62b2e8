/**
 * Bundles every role into one file, `app/dist/main.js`, so the runtime image needs no
 * node_modules. Run with `npm run build:app`.
 */
import { build, type Plugin } from "esbuild";
import { dirname, join, relative } from "node:path";

const appDir = __dirname;

/**
 * The Google API clients (@google-cloud/tasks) read their JSON config and protos at runtime with
 * `getJSON(path.join(__dirname, ...))`, which a bundle cannot see. This rewrites those calls into
 * static `require("./...json")` so esbuild inlines the files. It also resolves the packages through
 * their CommonJS build: the ESM build derives paths from `import.meta.url`, which a CommonJS bundle
 * does not have.
 */
const inlineGoogleClientJson: Plugin = {
  name: "inline-google-client-json",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@google-cloud\/tasks$/ }, (args) =>
      args.pluginData === "resolved"
        ? undefined
        : pluginBuild.resolve(args.path, { kind: "require-call", resolveDir: args.resolveDir, pluginData: "resolved" }),
    );
    pluginBuild.onLoad({ filter: /@google-cloud[\\/]tasks[\\/]build[\\/]cjs[\\/].*\.cjs$/ }, async (args) => {
      const { readFile } = await import("node:fs/promises");
      const source = await readFile(args.path, "utf8");
      const getJson = /\(0, _jsonHelper\.getJSON\)\(_path\["default"\]\.join\(dirname, ((?:'[^']*'(?:, )?)+)\)\)/g;
      const contents = source.replace(getJson, (_match, parts: string) => {
        const segments = parts.split(",").map((part) => part.trim().slice(1, -1));
        const target = relative(dirname(args.path), join(dirname(args.path), ...segments)).replace(/\\/g, "/");
        return `require(${JSON.stringify(target.startsWith(".") ? target : `./${target}`)})`;
      });
      return { contents, loader: "js", resolveDir: dirname(args.path) };
    });
  },
};

export async function buildApp(entry = join(appDir, "main.ts"), outfile = join(appDir, "dist", "main.js")): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: true,
    minifySyntax: true,
    legalComments: "none",
    logLevel: "warning",
    // node-pg-migrate's `import.meta.dirname` sits in its migration-file generator, which we never call.
    logOverride: { "empty-import-meta": "silent" },
    plugins: [inlineGoogleClientJson],
  });
}

if (require.main === module) {
  const [entry, outfile] = process.argv.slice(2);
  buildApp(entry, outfile).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
