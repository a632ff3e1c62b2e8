/**
 * Synthesizes an app without paying for stack traces nobody reads.
 *
 * cdktf records a full creation stack trace for every token it makes (tokens/private/intrinsic.js,
 * via a plain `{ stack }` object and `Error.captureStackTrace`). Formatting those traces — and
 * mapping them through source maps under tsx — was about a third of synth time. Real errors keep
 * their stack traces; only cdktf's token bookkeeping gets an empty one.
 */
import type { App } from "./cdktf";

export function synthWithoutTokenTraces(app: App): void {
  process.setSourceMapsEnabled(false);
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, frames) => {
    if (!(error instanceof Error)) return "";
    return previous ? previous(error, frames) : `${String(error)}${frames.map((frame) => `\n    at ${String(frame)}`).join("")}`;
  };
  try {
    app.synth();
  } finally {
    Error.prepareStackTrace = previous;
  }
}
