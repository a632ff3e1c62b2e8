/**
 * Entry point of the cdktf app. `npm run synth` runs this file directly (no cdktf CLI);
 * `npx cdktf synth|deploy <env>` runs it through cdktf.json.
 */
import { App } from "../lib/cdktf";
import { synthWithoutTokenTraces } from "../lib/fast-synth";
import { buildApp } from "./app";

synthWithoutTokenTraces(() => buildApp(new App({ stackTraces: false })));
