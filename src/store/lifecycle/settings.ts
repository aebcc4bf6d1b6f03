import { putConnection, readConnection } from "../repo.ts";
import { event, type LifecycleDeps } from "./shared.ts";

/** Marks the connection handed off: auto-refresh goes off, and refreshes here need confirmation. */
export async function markHandedOff(
  deps: LifecycleDeps,
  connectionId: string,
  fingerprintOfToken: string | null,
) {
  const now = deps.now();
  await deps.db.tx("readwrite", async (store) => {
    const current = await readConnection(store, connectionId);
    if (current === undefined) throw new Error("This connection was forgotten.");
    putConnection(
      store,
      {
        ...current,
        handedOffAt: now,
        settings: { ...current.settings, autoRefresh: false },
        updatedAt: now,
        revision: current.revision + 1,
      },
      [
        event(
          connectionId,
          now,
          "exported",
          `Exported for a server${fingerprintOfToken ? ` (refresh token ${fingerprintOfToken})` : ""}; auto-refresh off, refreshes here now need confirmation.`,
          { refreshTokenFingerprint: fingerprintOfToken },
        ),
      ],
    );
  });
  deps.notify?.(connectionId);
}

/** Turns auto-refresh on or off. A handed-off connection cannot have it. */
export async function setAutoRefresh(
  deps: LifecycleDeps,
  connectionId: string,
  settings: { autoRefresh: boolean; autoRefreshLeadSeconds: number },
): Promise<void> {
  const now = deps.now();
  await deps.db.tx("readwrite", async (store) => {
    const current = await readConnection(store, connectionId);
    if (current === undefined) throw new Error("This connection was forgotten.");
    if (settings.autoRefresh && current.handedOffAt !== null) {
      throw new Error(
        "This connection was handed off to a server: refreshing here on a timer would break the server's copy.",
      );
    }
    const lead = Math.max(5, Math.round(settings.autoRefreshLeadSeconds));
    putConnection(
      store,
      {
        ...current,
        settings: { autoRefresh: settings.autoRefresh, autoRefreshLeadSeconds: lead },
        updatedAt: now,
        revision: current.revision + 1,
      },
      [
        event(
          connectionId,
          now,
          "settings",
          settings.autoRefresh
            ? `Auto-refresh on, ${lead} s before the access token expires.`
            : "Auto-refresh off.",
        ),
      ],
    );
  });
  deps.notify?.(connectionId);
}
