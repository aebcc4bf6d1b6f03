/**
 * The colour theme a person picked on this device: "system" follows the system's light or dark
 * setting (the stylesheet's `prefers-color-scheme`), "light" and "dark" override it through
 * `data-theme` on the root element (src/ui/styles.css).
 */
export type Theme = "system" | "light" | "dark";
export const THEMES: readonly Theme[] = ["system", "light", "dark"];
const THEME_KEY = "tokendesk.theme";

/** The saved choice; "system" when none is saved or the browser refuses storage to this page. */
export function savedTheme(): Theme {
  try {
    const saved = localStorage.getItem(THEME_KEY);
    return saved === "light" || saved === "dark" ? saved : "system";
  } catch {
    return "system";
  }
}

/** Keeps the choice for the next visit; a browser that refuses storage keeps it for this page only. */
export function saveTheme(theme: Theme): void {
  try {
    if (theme === "system") localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Storage refused (a privacy setting): the switch still works until the page closes.
  }
}

export function applyTheme(theme: Theme): void {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}
