/**
 * The backup file: connections sealed with a passphrase, so they survive the browser's storage and move
 * to another computer. WebCrypto only; no DOM.
 *
 * Layout, version 1:
 *
 *     tokendesk-backup\n                                                 magic line
 *     {"version":1,"kdf":{…},"cipher":{…},"compression":"gzip","length":N}\n   header line (JSON)
 *     N bytes: AES-256-GCM ciphertext of the gzipped payload, its 16-byte tag last
 *
 * Why this shape:
 * - Magic and header are text: `head -2` (or any editor) says what the file is and how it is
 *   protected, without the passphrase. The header is JSON so a later version can add fields; every
 *   version keeps the magic line, a JSON second line and a numeric `version`, so this reader can say
 *   "made by a newer tokendesk (version N)" instead of "wrong passphrase".
 * - The magic and header bytes are AES-GCM's additional data: a changed salt, IV, iteration count,
 *   length or version fails the tag check exactly as a changed ciphertext does. Nothing in the header
 *   is trusted before that check, and nothing needs to be.
 * - `length` is the ciphertext's byte count. GCM alone cannot tell a cut-short file from a wrong
 *   passphrase; with the length, a short file is named as such before any key is derived.
 * - PBKDF2-SHA-256, 600,000 iterations (OWASP's figure for PBKDF2-HMAC-SHA256), 16-byte random salt:
 *   WebCrypto offers no memory-hard function (scrypt, Argon2), so this is the strongest it has. The
 *   count is in the header so a later tokendesk can raise it; a reader accepts 600,000 to 10,000,000,
 *   so a changed header cannot keep it deriving for minutes before the tag check refuses the file.
 * - AES-256-GCM, random 96-bit IV. Each file has a fresh salt, hence a fresh key: an IV never repeats
 *   under one key.
 * - gzip before encrypting: history is repetitive JSON and shrinks several times. Compression leaks
 *   through length only when an attacker mixes chosen text with secrets and watches sizes (CRIME);
 *   nobody adds text to a backup.
 * - The passphrase is NFC-normalised, so the same passphrase typed on two systems gives one key.
 */

export const BACKUP_MAGIC = "tokendesk-backup\n";
/** The file format this tokendesk writes and the newest it reads. */
export const BACKUP_VERSION = 1;
/** OWASP Password Storage Cheat Sheet: PBKDF2-HMAC-SHA256, 600,000 iterations. */
export const PBKDF2_ITERATIONS = 600_000;
const MAX_ITERATIONS = 10_000_000;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A header line longer than this is not one tokendesk wrote. */
const MAX_HEADER_BYTES = 4096;
/** What a payload may grow to when unzipped: far beyond 1,000 connections' history, short of a crash. */
const MAX_PAYLOAD_BYTES = 512 * 1024 * 1024;
/** The suffix tokendesk gives backup files. */
export const BACKUP_FILE_SUFFIX = ".tokendesk";

export type BackupErrorCode =
  /** The file does not start with the magic line. */
  | "not_backup"
  /** Fewer bytes than the header announces (or than a header needs). */
  | "truncated"
  /** A format version this reader does not know. */
  | "newer_version"
  /** The header or the decrypted contents are not what tokendesk writes. */
  | "damaged"
  /** The tag check failed: AES-GCM cannot tell a wrong passphrase from a changed file. */
  | "wrong_passphrase_or_changed"
  | "no_passphrase"
  /** This browser lacks what the format needs (WebCrypto, CompressionStream). */
  | "unsupported";

/** A backup refused, in words a person can act on. Nothing stored was changed when one is thrown. */
export class BackupError extends Error {
  override readonly name = "BackupError";
  constructor(
    message: string,
    readonly code: BackupErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const UNCHANGED = "Nothing stored was changed.";

/** What the header line says. Only ever trusted once the tag check has passed. */
export interface BackupHeader {
  readonly version: number;
  readonly kdf: {
    readonly name: "PBKDF2";
    readonly hash: "SHA-256";
    readonly iterations: number;
    readonly salt: string;
  };
  readonly cipher: { readonly name: "AES-GCM"; readonly length: 256; readonly iv: string };
  readonly compression: "gzip";
  /** Ciphertext bytes after the header line, tag included. */
  readonly length: number;
}

/** Where a backup is in its work, for a "working" state: key derivation takes most of a second. */
export type BackupStage = "deriving" | "encrypting" | "decrypting";

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function concat(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function requireCrypto(): SubtleCrypto {
  if (typeof crypto === "undefined" || crypto.subtle === undefined) {
    throw new BackupError(
      "This page has no WebCrypto (it needs https or 127.0.0.1), so it cannot seal or open a backup.",
      "unsupported",
    );
  }
  return crypto.subtle;
}

/** Runs bytes through a (de)compression stream, refusing output beyond `limit` bytes. */
async function transform(
  bytes: Uint8Array<ArrayBuffer>,
  stream: CompressionStream | DecompressionStream,
  limit: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = new Blob([bytes]).stream().pipeThrough(stream).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new BackupError(
        `The backup's contents unpack to more than ${Math.round(limit / 1048576)} MB, more than tokendesk ever writes. ${UNCHANGED}`,
        "damaged",
      );
    }
    chunks.push(value);
  }
  return concat(...chunks);
}

function requireCompression(): void {
  if (typeof CompressionStream === "undefined" || typeof DecompressionStream === "undefined") {
    throw new BackupError(
      "This browser has no CompressionStream (Chrome 80, Firefox 113 and Safari 16.4 have it); update it to make or open backups.",
      "unsupported",
    );
  }
}

async function deriveKey(
  passphrase: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
  usage: KeyUsage,
): Promise<CryptoKey> {
  const subtle = requireCrypto();
  const material = await subtle.importKey(
    "raw",
    encoder.encode(passphrase.normalize("NFC")),
    "PBKDF2",
    false,
    ["deriveKey"],
  );
  return subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    [usage],
  );
}

export interface SealOptions {
  /** More than {@link PBKDF2_ITERATIONS} (never fewer): a later tokendesk may raise the count. */
  readonly iterations?: number;
  readonly onStage?: (stage: BackupStage) => void;
}

/** Seals `plaintext` (the payload's bytes) into a backup file with the passphrase. */
export async function sealBackup(
  plaintext: Uint8Array<ArrayBuffer>,
  passphrase: string,
  options: SealOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  if (passphrase === "") throw new BackupError("Choose a passphrase to protect the backup.", "no_passphrase");
  const subtle = requireCrypto();
  requireCompression();
  const iterations = options.iterations ?? PBKDF2_ITERATIONS;
  if (iterations < PBKDF2_ITERATIONS || iterations > MAX_ITERATIONS)
    throw new RangeError(`PBKDF2 iterations must be ${PBKDF2_ITERATIONS} to ${MAX_ITERATIONS}.`);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  options.onStage?.("deriving");
  const key = await deriveKey(passphrase, salt, iterations, "encrypt");
  options.onStage?.("encrypting");
  const zipped = await transform(plaintext, new CompressionStream("gzip"), Number.POSITIVE_INFINITY);
  const header: BackupHeader = {
    version: BACKUP_VERSION,
    kdf: { name: "PBKDF2", hash: "SHA-256", iterations, salt: base64url(salt) },
    cipher: { name: "AES-GCM", length: 256, iv: base64url(iv) },
    compression: "gzip",
    length: zipped.length + TAG_BYTES,
  };
  const head = encoder.encode(`${BACKUP_MAGIC}${JSON.stringify(header)}\n`);
  const sealed = new Uint8Array(
    await subtle.encrypt({ name: "AES-GCM", iv, additionalData: head, tagLength: 128 }, key, zipped),
  );
  return concat(head, sealed);
}

function damaged(what: string): BackupError {
  return new BackupError(
    `This backup's header is damaged (${what}): the file was changed after tokendesk made it. Use an untouched copy. ${UNCHANGED}`,
    "damaged",
  );
}

/**
 * Reads and checks the magic and header lines without the passphrase: names a file that is not a
 * backup, cut short, or from a newer tokendesk. Returns the header and where the ciphertext starts.
 */
export function readBackupHeader(file: Uint8Array): { header: BackupHeader; bodyStart: number } {
  const magic = encoder.encode(BACKUP_MAGIC);
  const prefix = file.subarray(0, magic.length);
  const matches = prefix.every((b, i) => b === magic[i]);
  if (!matches || file.length === 0) {
    throw new BackupError(
      `This is not a tokendesk backup: it does not start with "tokendesk-backup". Choose the ${BACKUP_FILE_SUFFIX} file that "Back up" saved. ${UNCHANGED}`,
      "not_backup",
    );
  }
  if (file.length <= magic.length) {
    throw new BackupError(
      `This file is cut short: it ends after ${file.length} bytes, before its header. Copy the whole file again. ${UNCHANGED}`,
      "truncated",
    );
  }
  const searchEnd = Math.min(file.length, magic.length + MAX_HEADER_BYTES);
  const newline = file.subarray(magic.length, searchEnd).indexOf(0x0a);
  if (newline < 0) {
    if (file.length < magic.length + MAX_HEADER_BYTES) {
      throw new BackupError(
        `This file is cut short: it ends inside its header, after ${file.length} bytes. Copy the whole file again. ${UNCHANGED}`,
        "truncated",
      );
    }
    throw damaged("no end of header line");
  }
  const bodyStart = magic.length + newline + 1;
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(file.subarray(magic.length, bodyStart - 1)),
    );
  } catch {
    throw damaged("not JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw damaged("not a JSON object");
  const h = parsed as Record<string, unknown>;
  if (typeof h.version !== "number" || !Number.isInteger(h.version) || h.version < 1)
    throw damaged('no whole-number "version"');
  if (h.version > BACKUP_VERSION) {
    throw new BackupError(
      `This backup was made by a newer tokendesk (backup format version ${h.version}; this one reads version ${BACKUP_VERSION}). Open it with that newer tokendesk, or update this one. ${UNCHANGED}`,
      "newer_version",
    );
  }
  const kdf = h.kdf as Record<string, unknown> | null | undefined;
  const cipher = h.cipher as Record<string, unknown> | null | undefined;
  if (typeof kdf !== "object" || kdf === null || kdf.name !== "PBKDF2" || kdf.hash !== "SHA-256")
    throw damaged("key derivation is not PBKDF2-SHA-256");
  if (
    typeof kdf.iterations !== "number" ||
    !Number.isInteger(kdf.iterations) ||
    kdf.iterations < PBKDF2_ITERATIONS ||
    kdf.iterations > MAX_ITERATIONS
  ) {
    throw damaged(
      `PBKDF2 iteration count ${String(kdf.iterations)} is outside ${PBKDF2_ITERATIONS.toLocaleString("en")} to ${MAX_ITERATIONS.toLocaleString("en")}`,
    );
  }
  const salt = typeof kdf.salt === "string" ? fromBase64url(kdf.salt) : null;
  if (salt === null || salt.length < SALT_BYTES || salt.length > 64)
    throw damaged("salt is missing or malformed");
  if (typeof cipher !== "object" || cipher === null || cipher.name !== "AES-GCM" || cipher.length !== 256)
    throw damaged("cipher is not AES-256-GCM");
  const iv = typeof cipher.iv === "string" ? fromBase64url(cipher.iv) : null;
  if (iv === null || iv.length !== IV_BYTES) throw damaged("IV is missing or not 12 bytes");
  if (h.compression !== "gzip") throw damaged("compression is not gzip");
  if (typeof h.length !== "number" || !Number.isInteger(h.length) || h.length < TAG_BYTES)
    throw damaged("no ciphertext length");
  const body = file.length - bodyStart;
  if (body < h.length) {
    throw new BackupError(
      `This file is cut short: it holds ${body.toLocaleString("en")} of the ${h.length.toLocaleString("en")} encrypted bytes its header announces. A download or copy stopped early; copy the whole file again. ${UNCHANGED}`,
      "truncated",
    );
  }
  if (body > h.length) {
    throw new BackupError(
      `This file has ${(body - h.length).toLocaleString("en")} bytes more than its header announces: it was changed, or something was appended to it. Use an untouched copy. ${UNCHANGED}`,
      "damaged",
    );
  }
  return { header: h as unknown as BackupHeader, bodyStart };
}

/** Opens a backup file with the passphrase; returns the payload's bytes. Throws {@link BackupError}. */
export async function openBackup(
  file: Uint8Array,
  passphrase: string,
  options: { readonly onStage?: (stage: BackupStage) => void } = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const { header, bodyStart } = readBackupHeader(file);
  if (passphrase === "")
    throw new BackupError("Type the passphrase the backup was made with.", "no_passphrase");
  const subtle = requireCrypto();
  requireCompression();
  // Copies: WebCrypto wants ArrayBuffer-backed views, and the caller's buffer may be shared.
  const head = file.slice(0, bodyStart);
  const body = file.slice(bodyStart);
  const salt = fromBase64url(header.kdf.salt) ?? new Uint8Array();
  const iv = fromBase64url(header.cipher.iv) ?? new Uint8Array();
  options.onStage?.("deriving");
  const key = await deriveKey(passphrase, new Uint8Array(salt), header.kdf.iterations, "decrypt");
  options.onStage?.("decrypting");
  let zipped: Uint8Array<ArrayBuffer>;
  try {
    zipped = new Uint8Array(
      await subtle.decrypt(
        { name: "AES-GCM", iv: new Uint8Array(iv), additionalData: head, tagLength: 128 },
        key,
        body,
      ),
    );
  } catch (error) {
    throw new BackupError(
      `Wrong passphrase, or the file was changed after it was made: the encryption (AES-GCM) cannot tell these apart. Check the passphrase (capitals and spaces count) and use an untouched copy of the file. ${UNCHANGED}`,
      "wrong_passphrase_or_changed",
      { cause: error },
    );
  }
  try {
    return await transform(zipped, new DecompressionStream("gzip"), MAX_PAYLOAD_BYTES);
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(
      `The backup decrypted, but its contents do not unpack (gzip): it was not written by tokendesk. ${UNCHANGED}`,
      "damaged",
      { cause: error },
    );
  }
}

/** One PBKDF2 derivation as a backup makes it: the bench's floor for sealing and opening. */
export async function deriveOnce(passphrase: string, iterations = PBKDF2_ITERATIONS): Promise<void> {
  await deriveKey(passphrase, crypto.getRandomValues(new Uint8Array(SALT_BYTES)), iterations, "encrypt");
}
