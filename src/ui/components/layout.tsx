import { A } from "@solidjs/router";
import type { ParentProps } from "solid-js";

export function Layout(props: ParentProps) {
  return (
    <>
      <header class="topbar">
        <A href="/" class="brand" end>
          tokendesk
        </A>
        <span class="tagline">OAuth 2.0 workbench · your secret stays in the relay</span>
      </header>
      <main class="page">{props.children}</main>
    </>
  );
}
