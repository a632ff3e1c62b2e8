/**
 * Builds and synthesizes an app without paying for stack traces nobody reads.
 *
 * cdktf records a full creation stack trace for every token it makes (tokens/private/intrinsic.js
 * calls `Error.captureStackTrace` on a plain `{ stack }` object), while constructs are built and
 * while they are synthesized. Capturing and formatting those traces (and mapping them through
 * source maps under tsx) was about half of the run. For the duration of the build, plain objects
 * get an empty trace; real errors keep theirs.
 */
import type { App } from "./cdktf";

export function synthWithoutTokenTraces(build: () => App): void {
  process.setSourceMapsEnabled(false);
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = (target: object, constructorOpt?: Function) => {
    if (target instanceof Error) capture(target, constructorOpt);
    else (target as { stack?: string }).stack = "";
  };
  try {
    build().synth();
  } finally {
    Error.captureStackTrace = capture;
  }
}
