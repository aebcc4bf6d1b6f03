/**
 * Ids of history entries, so a timeline mark can lead to the line it stands for. Outside the
 * timeline's lazy chunk: the history lists carry them whether or not the picture was ever drawn.
 */

/** The id of a stored event's entry in a connection's history list. */
export function historyEntryId(eventId: string): string {
  return `history-${eventId}`;
}

/** The id of a diagnostic bundle's log entry (0-based index) in its history list. */
export function bundleEntryId(index: number): string {
  return `bundle-entry-${index + 1}`;
}

/** Scrolls the entry into view and moves focus to it; false when the page has no such entry. */
export function focusEntry(id: string): boolean {
  const entry = document.getElementById(id);
  if (entry === null) return false;
  // jsdom has no layout, hence no scrollIntoView.
  entry.scrollIntoView?.({ block: "center" });
  entry.focus({ preventScroll: true });
  return true;
}
