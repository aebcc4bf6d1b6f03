/**
 * The storage status says what the browser reports (persisted or best-effort, usage of the quota)
 * and what that means in this browser: Safari's 7-day rule, which an installed app escapes.
 */
import { cleanup, fireEvent, screen } from "@solidjs/testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  formatBytes,
  StorageStatus,
  storageMeaning,
} from "../../src/ui/pages/safekeeping/storage-status.tsx";
import type { StorageState } from "../../src/ui/state/safekeeping.ts";
import { _fetch, _renderAt } from "./_render.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const CHROMIUM: StorageState = {
  supported: true,
  persisted: false,
  usage: 17_400,
  quota: 10_500_000_000,
  webkit: false,
  installed: false,
};

describe("what the storage state means", () => {
  it("names Safari's 7-day rule in WebKit, and that an installed app escapes it", () => {
    expect(storageMeaning({ ...CHROMIUM, webkit: true })).toBe(
      "The browser may delete it when the disk runs low, and clearing browsing data deletes it. Safari (and every browser on iOS) also deletes a site's storage after 7 days of use without a visit; tokendesk added to the Dock or the Home Screen escapes that rule. Back up to a file to keep a copy.",
    );
    expect(storageMeaning({ ...CHROMIUM, webkit: true, installed: true, persisted: true })).toBe(
      "The browser will not delete it to free disk space; clearing this site's data still does. Installed as an app, tokendesk escapes Safari's rule that deletes a site's storage after 7 days of use without a visit. A backup file is the copy that survives both.",
    );
  });

  it("says how Chromium and Firefox decide, where they run", () => {
    expect(storageMeaning(CHROMIUM)).toContain(
      "Chromium keeps storage for sites you use often, bookmark or install; Firefox asks you.",
    );
    expect(storageMeaning({ ...CHROMIUM, supported: false, persisted: null })).toMatch(
      /^This browser does not say whether it keeps tokendesk's storage: treat it as best-effort\./,
    );
  });

  it("counts bytes as browsers' settings pages do", () => {
    expect([999, 17_400, 2_300_000, 10_500_000_000].map(formatBytes)).toEqual([
      "999 B",
      "17 kB",
      "2.3 MB",
      "11 GB",
    ]);
  });
});

describe("StorageStatus", () => {
  it("shows what navigator.storage says, and asks to persist only when a person clicks", async () => {
    let persisted = false;
    const persist = vi.fn(async () => {
      persisted = true;
      return true;
    });
    vi.stubGlobal("navigator", {
      ...navigator,
      userAgent:
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36",
      storage: {
        persisted: async () => persisted,
        persist,
        estimate: async () => ({ usage: 17_400, quota: 10_500_000_000 }),
      },
    });
    const { impl } = _fetch({ clients: [] });
    _renderAt("/", "/", StorageStatus, impl);
    const kept = await screen.findByTestId("storage-kept");
    expect(kept.textContent).toBe("Best-effort: the browser may delete it");
    expect(screen.getByTestId("storage-usage").textContent).toBe(
      "17 kB of the 11 GB this browser allows this site",
    );
    expect(screen.getByTestId("storage-meaning").textContent).not.toContain("Safari");
    expect(persist).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "Ask the browser to keep it" }));
    await vi.waitFor(() => expect(kept.textContent).toBe("Persistent: the browser keeps it"));
    expect(persist).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("button", { name: "Ask the browser to keep it" })).toBeNull();
  });

  it("recognises Safari by its engine, and an iPhone's Chrome too (it is WebKit)", async () => {
    for (const userAgent of [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/140.0 Mobile/15E148 Safari/604.1",
    ]) {
      vi.stubGlobal("navigator", {
        userAgent,
        storage: { persisted: async () => false, persist: async () => false, estimate: async () => ({}) },
      });
      const { impl } = _fetch({ clients: [] });
      _renderAt("/", "/", StorageStatus, impl);
      const meaning = await screen.findByTestId("storage-meaning");
      expect(meaning.textContent).toContain(
        "Safari (and every browser on iOS) also deletes a site's storage after 7 days",
      );
      expect(screen.getByTestId("storage-usage").textContent).toBe("not known");
      cleanup();
    }
  });
});
