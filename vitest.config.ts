import solid from "vite-plugin-solid";
import { defineConfig } from "vitest/config";

// One `vitest run` runs every suite; e2e files run one at a time (two cores, one Chromium each).
export default defineConfig({
  test: {
    // Every test by name, so the log shows what ran; then one plain summary line.
    reporters: ["verbose", "./test/support/summary-reporter.ts"],
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
          environment: "node",
          fileParallelism: false,
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
          environment: "node",
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
