import { defineConfig } from "vite";
import { tokendeskViteConfig } from "./src/dev/vite-config.ts";

// `npm start -- --mode https` (or TOKENDESK_HTTPS=1 npm start) serves over https with a local
// certificate, for providers that refuse http redirect URIs.
export default defineConfig(({ command, mode }) =>
  tokendeskViteConfig({
    https: command === "serve" && (mode === "https" || process.env.TOKENDESK_HTTPS === "1"),
  }),
);
