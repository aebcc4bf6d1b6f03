import { defineConfig } from "vite";
import { tokendeskViteConfig } from "./src/dev/vite-config.ts";

export default defineConfig(() => tokendeskViteConfig());
