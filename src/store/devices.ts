import type { Database } from "bun:sqlite";
import type { DeviceInfo } from "../protocol/api.ts";

type Row = { id: string; name: string; host: string | null; created_at: number; last_seen_at: number | null; revoked_at: number | null };

export class DeviceStore {
  constructor(private db: Database) {}

  add(id: string, name: string, host: string | null, keyWrapped: Uint8Array): void {
    this.db
      .query("INSERT INTO devices (id, name, host, key_wrapped, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(id, name, host, keyWrapped, Date.now());
  }

  /** The wrapped key of an active (not revoked) device, or null. */
  activeKey(id: string): Uint8Array | null {
    const r = this.db.query("SELECT key_wrapped FROM devices WHERE id = ? AND revoked_at IS NULL").get(id) as {
      key_wrapped: Uint8Array;
    } | null;
    return r?.key_wrapped ?? null;
  }

  seen(id: string, host: string | null): void {
    this.db.query("UPDATE devices SET last_seen_at = ?, host = COALESCE(?, host) WHERE id = ?").run(Date.now(), host, id);
  }

  revoke(id: string): boolean {
    return this.db.query("UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(Date.now(), id).changes > 0;
  }

  list(online: (id: string) => boolean): DeviceInfo[] {
    const rows = this.db
      .query("SELECT id, name, host, created_at, last_seen_at, revoked_at FROM devices ORDER BY created_at DESC")
      .all() as Row[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      host: r.host,
      createdAt: r.created_at,
      lastSeenAt: r.last_seen_at,
      revokedAt: r.revoked_at,
      online: online(r.id),
    }));
  }
}
