/** Request and response bodies of the REST API (`/api/*`). */
import { z } from "zod";
import { Cols, Rows } from "./common.ts";
import { KeyName } from "./keys.ts";

/** Largest request body any route accepts. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The admin token, or the ticket of a one-time login link (`#login=…`). */
export const LoginBody = z
  .object({ token: z.string().min(1).max(512).optional(), ticket: z.string().min(1).max(128).optional() })
  .refine((b) => (b.token === undefined) !== (b.ticket === undefined), "give exactly one of token or ticket");

/**
 * The page key: returned by `POST /api/login`, kept by the dashboard in its own origin's storage and
 * sent with every cookie request (this header; `?pageKey=` for EventSource and WebSocket, which
 * cannot set headers). A cookie reaches every server on the same host whatever the port; the key
 * does not, so the cookie alone is never enough.
 */
export const PAGE_KEY_HEADER = "x-cr-page-key";
export const PAGE_KEY_PARAM = "pageKey";
export const LoginResponse = z.object({ ok: z.literal(true), expiresAt: z.number(), pageKey: z.string() });

/**
 * Lists are paged: `?limit=&cursor=`; a page that is not the last names the next one in the
 * `X-Next-Cursor` response header (the body stays the array it always was). Cursors are opaque.
 */
export const NEXT_CURSOR_HEADER = "X-Next-Cursor";
export const Cursor = z.string().min(1).max(300);
export const SessionsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).optional(), cursor: Cursor.optional() });

export const PairBody = z.object({
  code: z.string().min(1).max(64),
  name: z.string().min(1).max(100),
  host: z.string().max(255).optional(),
});
export const PairResponse = z.object({ deviceId: z.string(), secret: z.string() });
export const PairingCodeResponse = z.object({
  code: z.string(),
  /** Names this code in the `device` event of the pairing that spends it (a prefix of its stored hash), so the page that shows it can flip to "paired". */
  id: z.string(),
  expiresAt: z.number(),
  /** `claude-remote pair <url> <code>`, ready to paste on the device. */
  command: z.string(),
  /** QR code of `command` as SVG markup, and the same as a `data:image/svg+xml` URL for an <img>. */
  qrSvg: z.string(),
  qrDataUrl: z.string(),
});

/** Text typed into a session, or named keys; also the body of the viewer socket's `input` frame. */
export const InputText = z
  .string()
  .min(1)
  .max(16 * 1024);
export const InputKeys = z.array(KeyName).min(1).max(64);
export const InputBody = z.union([z.object({ text: InputText }).strict(), z.object({ keys: InputKeys }).strict()]);
export type InputBody = z.infer<typeof InputBody>;

export const ResizeBody = z.object({ cols: Cols, rows: Rows });

export const DeviceInfo = z.object({
  id: z.string(),
  name: z.string(),
  host: z.string().nullable(),
  createdAt: z.number(),
  lastSeenAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
  online: z.boolean(),
});
export type DeviceInfo = z.infer<typeof DeviceInfo>;

export const ApiError = z.object({ error: z.string(), detail: z.string().optional() });

/** `POST /api/sessions/:id/name`: what the dashboard calls the session from now on. */
export const RenameBody = z.object({ name: z.string().trim().min(1).max(100) }).strict();
/** `POST /api/sessions/:id/archive`: hide it from the list (true) or bring it back (false). */
export const ArchiveBody = z.object({ archived: z.boolean() }).strict();
/** `DELETE /api/sessions/:id` answers this: the session, its prompts and its stored output are gone. */
export const DeletedSession = z.object({ ok: z.literal(true), chunks: z.number().int().nonnegative() });
