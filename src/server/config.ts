/**
 * Server configuration from the environment. Every variable is declared once here, with its
 * default and meaning; the README's configuration table is checked against this list.
 */
import { SWITCHABLE_KINDS } from "../protocol/notify.ts";
import { z } from "zod";

type Var = { name: string; default: string; meaning: string; schema: z.ZodType };

const bool = z.enum(["0", "1", "true", "false", "yes", "no"]).transform((v) => v === "1" || v === "true" || v === "yes");
const port = z.coerce.number().int().min(0).max(65535);
const optionalUrl = z.union([z.literal(""), z.url()]);
/** Which notification kinds a channel sends: a comma list of prompt,waiting,done,exit, or `none`. */
const notifyKinds = z
  .string()
  .transform((v) =>
    v.trim() === "none"
      ? []
      : v
          .split(",")
          .map((k) => k.trim())
          .filter(Boolean),
  )
  .pipe(z.array(z.enum(SWITCHABLE_KINDS, { error: `kinds are ${SWITCHABLE_KINDS.join(", ")} (or none)` })));
const vapidSubject = z.union([z.literal(""), z.string().regex(/^(mailto:|https:\/\/)/, "must start with mailto: or https://")]);

export const CONFIG_VARS = [
  { name: "PORT", default: "7200", meaning: "TCP port the server listens on", schema: port },
  {
    name: "HOST",
    default: "127.0.0.1",
    meaning: "Address to bind; `0.0.0.0` to accept remote connections (put TLS in front)",
    schema: z.string().min(1),
  },
  {
    name: "CLAUDE_REMOTE_DATA_DIR",
    default: "./data",
    meaning: "Where the SQLite database, admin token and keys live",
    schema: z.string().min(1),
  },
  {
    name: "CLAUDE_REMOTE_ADMIN_TOKEN",
    default: "",
    meaning: "Admin token for the dashboard and API; generated and kept in the data dir if unset",
    schema: z.union([z.literal(""), z.string().min(16, "must be at least 16 characters")]),
  },
  {
    name: "PUBLIC_URL",
    default: "",
    meaning:
      "External URL (e.g. `https://remote.example.com`) used in login links, QR codes, Origin checks and notification answer buttons",
    schema: optionalUrl,
  },
  {
    name: "TRUST_PROXY",
    default: "false",
    meaning: "Take the client IP from `X-Forwarded-For` (only behind your own reverse proxy)",
    schema: bool,
  },
  { name: "LOG_LEVEL", default: "info", meaning: "`debug`, `info`, `warn` or `error`", schema: z.enum(["debug", "info", "warn", "error"]) },
  {
    name: "CLAUDE_REMOTE_RETENTION_DAYS",
    default: "30",
    meaning: "Days to keep the stored output of ended sessions; older output is deleted in the background (`0` keeps everything)",
    schema: z.coerce.number().int().min(0).max(36500),
  },
  {
    name: "CLAUDE_REMOTE_NTFY_URL",
    default: "",
    meaning: "ntfy topic URL (e.g. `https://ntfy.sh/my-topic`) to notify (what: `CLAUDE_REMOTE_NOTIFY_NTFY`)",
    schema: optionalUrl,
  },
  { name: "CLAUDE_REMOTE_NTFY_TOKEN", default: "", meaning: "Bearer token for a protected ntfy topic", schema: z.string() },
  {
    name: "CLAUDE_REMOTE_WEBHOOK_URL",
    default: "",
    meaning: "URL that receives a JSON POST per notification (what: `CLAUDE_REMOTE_NOTIFY_WEBHOOK`)",
    schema: optionalUrl,
  },
  {
    name: "CLAUDE_REMOTE_NOTIFY_WEBPUSH",
    default: "prompt,waiting,done,exit",
    meaning: "What Web Push notifies: comma list of `prompt`, `waiting`, `done`, `exit`, or `none`",
    schema: notifyKinds,
  },
  {
    name: "CLAUDE_REMOTE_NOTIFY_NTFY",
    default: "prompt,waiting,done,exit",
    meaning: "What ntfy notifies (same list)",
    schema: notifyKinds,
  },
  {
    name: "CLAUDE_REMOTE_NOTIFY_WEBHOOK",
    default: "prompt,waiting,done,exit",
    meaning: "What the webhook receives (same list)",
    schema: notifyKinds,
  },
  {
    name: "CLAUDE_REMOTE_VAPID_SUBJECT",
    default: "",
    meaning: "VAPID contact (`mailto:` or `https:` URL) for push services; default: PUBLIC_URL if https, else a mailto placeholder",
    schema: vapidSubject,
  },
  {
    name: "CLAUDE_REMOTE_COST_ALERT_USD",
    default: "",
    meaning: "Notify (every configured channel) once per session when its cost passes this many US dollars; empty = off",
    schema: z.union([z.literal("").transform(() => null), z.coerce.number().positive("must be a positive number of dollars")]),
  },
  {
    name: "CLAUDE_REMOTE_SSE_COMPRESSION",
    default: "1",
    meaning:
      "Compress SSE streams (gzip/deflate, flushed per event) for viewers that accept it; `0` sends them uncompressed (see SECURITY.md, compression)",
    schema: bool,
  },
  {
    name: "CLAUDE_REMOTE_NTFY_ACTIONS",
    default: "open",
    meaning:
      "ntfy prompt buttons: `open` (open the dashboard) or `approve` (one-tap buttons: a prompt's short choices as answer links; anyone who reads the topic can press them; only for a protected topic, see SECURITY.md)",
    schema: z.enum(["open", "approve"]),
  },
  {
    name: "CLAUDE_REMOTE_IDLE_TIMEOUT",
    default: "10",
    meaning: "Seconds an HTTP connection may sit idle before it is closed (event streams and WebSockets have heartbeats instead)",
    schema: z.coerce.number().int().min(1).max(255),
  },
  {
    name: "CLAUDE_REMOTE_MAX_STREAMS_PER_IP",
    default: "256",
    meaning:
      "Open event streams and WebSockets (dashboard and devices) one client IP may hold at once; more get `429 too_many_connections`",
    schema: z.coerce.number().int().min(1).max(100000),
  },
  {
    name: "CLAUDE_REMOTE_MAX_SESSIONS_PER_DEVICE",
    default: "64",
    meaning: "Live sessions one device may hold open at once; more are refused (`too_many_sessions`)",
    schema: z.coerce.number().int().min(1).max(10000),
  },
] as const satisfies readonly Var[];

export type ServerConfig = {
  port: number;
  host: string;
  dataDir: string;
  adminToken: string;
  publicUrl: string;
  trustProxy: boolean;
  logLevel: "debug" | "info" | "warn" | "error";
  retentionDays: number;
  ntfyUrl: string;
  ntfyToken: string;
  webhookUrl: string;
  notifyWebpush: NotifyKindName[];
  notifyNtfy: NotifyKindName[];
  notifyWebhook: NotifyKindName[];
  vapidSubject: string;
  sseCompression: boolean;
  ntfyActions: "open" | "approve";
  idleTimeout: number;
  maxStreamsPerIp: number;
  maxSessionsPerDevice: number;
  costAlertUsd: number | null;
};
export type NotifyKindName = (typeof SWITCHABLE_KINDS)[number];

export class ConfigError extends Error {}

const KEYS: Record<(typeof CONFIG_VARS)[number]["name"], keyof ServerConfig> = {
  PORT: "port",
  HOST: "host",
  CLAUDE_REMOTE_DATA_DIR: "dataDir",
  CLAUDE_REMOTE_ADMIN_TOKEN: "adminToken",
  PUBLIC_URL: "publicUrl",
  TRUST_PROXY: "trustProxy",
  LOG_LEVEL: "logLevel",
  CLAUDE_REMOTE_RETENTION_DAYS: "retentionDays",
  CLAUDE_REMOTE_NTFY_URL: "ntfyUrl",
  CLAUDE_REMOTE_NTFY_TOKEN: "ntfyToken",
  CLAUDE_REMOTE_WEBHOOK_URL: "webhookUrl",
  CLAUDE_REMOTE_NOTIFY_WEBPUSH: "notifyWebpush",
  CLAUDE_REMOTE_NOTIFY_NTFY: "notifyNtfy",
  CLAUDE_REMOTE_NOTIFY_WEBHOOK: "notifyWebhook",
  CLAUDE_REMOTE_VAPID_SUBJECT: "vapidSubject",
  CLAUDE_REMOTE_SSE_COMPRESSION: "sseCompression",
  CLAUDE_REMOTE_NTFY_ACTIONS: "ntfyActions",
  CLAUDE_REMOTE_IDLE_TIMEOUT: "idleTimeout",
  CLAUDE_REMOTE_MAX_STREAMS_PER_IP: "maxStreamsPerIp",
  CLAUDE_REMOTE_MAX_SESSIONS_PER_DEVICE: "maxSessionsPerDevice",
  CLAUDE_REMOTE_COST_ALERT_USD: "costAlertUsd",
};

/** Reads and validates the environment; an invalid value throws a ConfigError naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const out: Record<string, unknown> = {};
  for (const v of CONFIG_VARS) {
    const raw = env[v.name] ?? v.default;
    const r = v.schema.safeParse(raw);
    if (!r.success) throw new ConfigError(`invalid ${v.name}=${JSON.stringify(raw)}: ${r.error.issues[0]?.message}`);
    out[KEYS[v.name]] = r.data;
  }
  return out as ServerConfig;
}

/** The plain-http address of a listener on `host` (IPv6 literals bracketed). */
export function listenUrl(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
