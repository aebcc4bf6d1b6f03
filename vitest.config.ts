import { availableParallelism } from "node:os";
import solid from "vite-plugin-solid";
import { defineConfig } from "vitest/config";
import { BrowserBesideSequencer } from "./test/support/sequencer.ts";

// One `vitest run` runs every suite. The browser files (e2e and interop) run one at a time (two
// cores, one Chromium each), under a lock, while the unit, relay and component files use the other
// worker.
export default defineConfig({
  test: {
    // Every test by name, so the log shows what ran; then one plain summary line.
    reporters: ["verbose", "./test/support/summary-reporter.ts"],
    // Two workers even on two cores (Vitest's default is one fewer than the cores): an e2e worker
    // mostly waits on Chromium and the servers.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: BrowserBesideSequencer },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          setupFiles: ["fake-indexeddb/auto"],
        },
      },
      {
        test: {
          name: "relay",
          include: ["test/relay/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        plugins: [solid({ hot: false })],
        resolve: { conditions: ["browser", "development"] },
        test: {
          name: "component",
          include: ["test/component/**/*.test.tsx"],
          environment: "jsdom",
          setupFiles: ["fake-indexeddb/auto", "test/component/_setup.ts"],
          server: { deps: { inline: [/solid-js/, /@solidjs\/router/, /@solidjs\/testing-library/] } },
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          setupFiles: ["test/support/one-browser-at-a-time.ts"],
          environment: "node",
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
      {
        // Real authorization servers not written here (test/interop/servers), walked in Chromium.
        test: {
          name: "interop",
          include: ["test/interop/**/*.test.ts"],
          globalSetup: ["test/interop/global-setup.ts"],
          setupFiles: ["test/support/one-browser-at-a-time.ts"],
          environment: "node",
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
