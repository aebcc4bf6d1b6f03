import type { Connection } from "../../../store/records.ts";

/** The credentials a connection holds: masked wherever the page prints them, whatever the context. */
export function knownSecrets(connection: Connection): string[] {
  const values = [
    connection.authorization?.code,
    connection.authorization?.codeVerifier,
    connection.tokenSet?.accessToken,
    connection.tokenSet?.refreshToken,
    connection.tokenSet?.idToken,
  ];
  return values.filter((value): value is string => typeof value === "string" && value !== "");
}
