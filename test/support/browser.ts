/**
 * A real browser for the dashboard and live-view tests and the screenshots (shared by app/,
 * loadtests/ and scripts/, hence here): Debian's Chromium, driven by playwright-core through
 * `executablePath` (no browser is ever downloaded). Headless, sandbox off (tests run as root in
 * CI), no GPU, QUIC, first-run, background networking, component updates or sync: it talks to
 * 127.0.0.1 only. Playwright starts it with a fresh temporary profile (`--user-data-dir`) and
 * removes it on close.
 */
import { accessSync, constants } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

/** Fails, naming the fix, when Chromium is not installed: these tests never skip. */
export function chromiumProblem(path = CHROMIUM_PATH): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch {
    return (
      `Chromium is not installed at ${path}. The dashboard tests drive a real browser and never download one: ` +
      "install Debian's package (apt-get install -y chromium; .ci/run does this), or set CHROMIUM_PATH to a Chromium binary."
    );
  }
}

export async function launchChromium(): Promise<Browser> {
  const problem = chromiumProblem();
  if (problem) throw new Error(problem);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // --no-sandbox: the CI user is root, and Chromium's sandbox refuses to run as root.
    chromiumSandbox: false,
    args: [...CHROMIUM_FLAGS],
    timeout: 60_000,
  });
}
