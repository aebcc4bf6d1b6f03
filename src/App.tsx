import { HashRouter, Route } from "@solidjs/router";
import { lazy } from "solid-js";
import type { CallbackParams } from "./oauth/callback.ts";
import { Layout } from "./ui/components/layout.tsx";
import { HomePage } from "./ui/pages/home-page.tsx";
import { NotFoundPage } from "./ui/pages/not-found-page.tsx";
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

/** Routes live in the hash, so any static host serves every route without rewrite rules. */
export function App(props: { callback: CallbackParams | null }) {
  return (
    <AppStateProvider callback={props.callback}>
      <HashRouter root={Layout}>
        <Route path="/" component={HomePage} />
        <Route path="/authorize/:clientId" component={AuthorizePage} />
        <Route path="/callback" component={CallbackPage} />
        <Route path="/connections/:id" component={ConnectionPage} />
        <Route path="/discover" component={DiscoverPage} />
        <Route path="/support" component={SupportPage} />
        <Route path="*" component={NotFoundPage} />
      </HashRouter>
    </AppStateProvider>
  );
}
