import { lazy } from "solid-js";
import type { CallbackParams } from "./oauth/callback.ts";
import type { EarlyRead } from "./store/early-read.ts";
import { Layout } from "./ui/components/layout.tsx";
import { HomePage } from "./ui/pages/home-page.tsx";
import { NotFoundPage } from "./ui/pages/not-found-page.tsx";
import { type RouteDef, Router } from "./ui/router.tsx";
import { AppStateProvider } from "./ui/state/app-state.tsx";

// Pages that are not the first screen load when first visited, keeping the initial bundle small.
const AuthorizePage = lazy(() =>
  import("./ui/pages/authorize-page.tsx").then((m) => ({ default: m.AuthorizePage })),
);
const CallbackPage = lazy(() =>
  import("./ui/pages/callback-page.tsx").then((m) => ({ default: m.CallbackPage })),
);
const DiscoverPage = lazy(() =>
  import("./ui/pages/discover-page.tsx").then((m) => ({ default: m.DiscoverPage })),
);
const SupportPage = lazy(() =>
  import("./ui/pages/support/support-page.tsx").then((m) => ({ default: m.SupportPage })),
);
const ConnectionPage = lazy(() =>
  import("./ui/pages/connection/connection-page.tsx").then((m) => ({ default: m.ConnectionPage })),
);

/** The routes, first match wins. */
const ROUTES: readonly RouteDef[] = [
  { path: "/", component: HomePage },
  { path: "/authorize/:clientId", component: AuthorizePage },
  { path: "/callback", component: CallbackPage },
  { path: "/connections/:id", component: ConnectionPage },
  { path: "/discover", component: DiscoverPage },
  { path: "/support", component: SupportPage },
  { path: "*", component: NotFoundPage },
];

export function App(props: { callback: CallbackParams | null; earlyRead?: EarlyRead | null }) {
  return (
    <AppStateProvider callback={props.callback} earlyRead={props.earlyRead}>
      <Router routes={ROUTES} root={Layout} />
    </AppStateProvider>
  );
}
