/**
 * Where `npm start` serves. Fixed (the port is strict), because providers hold redirect URIs
 * registered with it; `npm run client` suggests the same address.
 */
export const DEV_HOST = "127.0.0.1";
export const DEV_PORT = 5173;

/** The redirect URI to register for the dev server: `<origin>/callback/`, a real file. */
export function devRedirectUri(https: boolean): string {
  return `${https ? "https" : "http"}://${DEV_HOST}:${DEV_PORT}/callback/`;
}
