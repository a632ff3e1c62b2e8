import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "cdktf.out/**", "**/dist/**"],
    setupFiles: ["test/support/cdktf-matchers.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Integration tests talk to real PostgreSQL/Redis and spawn processes: give them room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
