/**
 * Bundles every role into one file, `app/dist/main.js`, so the runtime image needs no
 * node_modules, and builds the web dashboard beside it, `app/dist/web/` (Vite), which the api
 * serves. Run with `npm run build:app`.
 */
import { build, type Plugin } from "esbuild";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, extname, join, relative } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants as zlib, gzip } from "node:zlib";

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

/** Text files worth sending compressed; smaller ones gain nothing. */
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".svg", ".json"]);
const MIN_COMPRESS_BYTES = 1024;

/**
 * The dashboard (app/web, Vite) into `outDir`, with `.br` and `.gz` siblings of its text files for
 * clients that accept them (the api and nginx serve those as is: no compression per request).
 */
export async function buildWeb(outDir = join(appDir, "dist", "web")): Promise<void> {
  // Vite is ESM-only; this package is CommonJS (see README), hence the dynamic import.
  const vite = await import("vite");
  await vite.build({ configFile: join(appDir, "web", "vite.config.ts"), logLevel: "warn", build: { outDir } });
  const files = (await readdir(outDir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile() && COMPRESSIBLE.has(extname(entry.name)));
  await Promise.all(
    files.map(async (entry) => {
      const path = join(entry.parentPath, entry.name);
      const content = await readFile(path);
      if (content.length < MIN_COMPRESS_BYTES) return;
      await Promise.all([
        promisify(brotliCompress)(content, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: content.length } }).then((compressed) => writeFile(`${path}.br`, compressed)),
        promisify(gzip)(content, { level: 9 }).then((compressed) => writeFile(`${path}.gz`, compressed)),
      ]);
    }),
  );
}

/** The bundle at `outfile` and, unless `web` is false, the dashboard in `web/` beside it. */
export async function buildApp(entry = join(appDir, "main.ts"), outfile = join(appDir, "dist", "main.js"), options: { web?: boolean } = {}): Promise<void> {
  await Promise.all([bundleApp(entry, outfile), options.web === false ? undefined : buildWeb(join(dirname(outfile), "web"))]);
}

async function bundleApp(entry: string, outfile: string): Promise<void> {
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
