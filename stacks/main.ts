/**
 * Entry point of the cdktf app. `npm run synth` runs this file directly (no cdktf CLI);
 * `npx cdktf synth|deploy <env>` runs it through cdktf.json.
 */
import { App } from "../lib/cdktf";
import { buildApp } from "./app";

// cdktf records a creation stack trace for every token; mapping those through source maps is
// most of synth time and buys nothing here (errors carry their own messages).
process.setSourceMapsEnabled(false);
buildApp(new App({ stackTraces: false })).synth();
