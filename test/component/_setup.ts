import { configure } from "@testing-library/dom";
import { beforeAll } from "vitest";

// findBy*/waitFor give up after 1 s by default: less than a first render takes (cold module
// transforms, jsdom) when the two cores are busy with e2e Chromium. A wait still ends as soon as the
// page shows what it waits for; a longer limit only delays the report of a real failure.
configure({ asyncUtilTimeout: 5_000 });

// The app state loads its later parts with import() once the first screen is drawn. A test file can
// end before such a load does, and Vitest then refuses to load a module into a torn-down
// environment (an unhandled rejection that fails the run). Loading them up front makes those
// imports resolve from the module cache, whenever the app asks.
beforeAll(async () => {
  await Promise.all([
    import("../../src/ui/state/token-actions.ts"),
    import("../../src/ui/state/lookup-actions.ts"),
    import("../../src/ui/state/auto-refresh-state.ts"),
    import("../../src/ui/state/token-worker-client.ts"),
    import("../../src/ui/state/network.ts"),
    import("../../src/store/repo.ts"),
    import("../../src/providers/index.ts"),
  ]);
}, 60_000);
