import type { Database } from "bun:sqlite";

/** Pairing codes, login tickets and browser sessions: only their SHA-256 hashes are stored. */
export class CredentialStore {
  constructor(private db: Database) {}

  addPairingCode(codeHash: string, expiresAt: number): void {
    this.db.query("INSERT INTO pairing_codes (code_hash, created_at, expires_at) VALUES (?, ?, ?)").run(codeHash, Date.now(), expiresAt);
  }

  /** Marks the code used if it exists, is unused and unexpired; true only for that one caller. */
  spendPairingCode(codeHash: string, now = Date.now()): boolean {
    return (
      this.db
        .query("UPDATE pairing_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?")
        .run(now, codeHash, now).changes === 1
    );
  }

  addLoginTicket(ticketHash: string, expiresAt: number): void {
    this.db
      .query("INSERT INTO login_tickets (ticket_hash, created_at, expires_at) VALUES (?, ?, ?)")
      .run(ticketHash, Date.now(), expiresAt);
  }

  /** Marks the ticket used if it exists, is unused and unexpired; true only for that one caller. */
  spendLoginTicket(ticketHash: string, now = Date.now()): boolean {
    return (
      this.db
        .query("UPDATE login_tickets SET used_at = ? WHERE ticket_hash = ? AND used_at IS NULL AND expires_at > ?")
        .run(now, ticketHash, now).changes === 1
    );
  }

  addWebSession(tokenHash: string, expiresAt: number, userAgent: string | null, ip: string | null): void {
    this.db
      .query("INSERT INTO web_sessions (token_hash, created_at, expires_at, user_agent, ip) VALUES (?, ?, ?, ?, ?)")
      .run(tokenHash, Date.now(), expiresAt, userAgent, ip);
  }

  webSessionValid(tokenHash: string, now = Date.now()): boolean {
    return this.db.query("SELECT 1 FROM web_sessions WHERE token_hash = ? AND expires_at > ?").get(tokenHash, now) !== null;
  }

  deleteWebSession(tokenHash: string): void {
    this.db.query("DELETE FROM web_sessions WHERE token_hash = ?").run(tokenHash);
  }

  purgeExpired(now = Date.now()): void {
    this.db.query("DELETE FROM web_sessions WHERE expires_at <= ?").run(now);
    this.db.query("DELETE FROM pairing_codes WHERE expires_at <= ?").run(now - 86_400_000);
    this.db.query("DELETE FROM login_tickets WHERE expires_at <= ?").run(now - 86_400_000);
  }

  getSetting(key: string): string | null {
    return (this.db.query("SELECT value FROM settings WHERE key = ?").get(key) as { value: string } | null)?.value ?? null;
  }

  setSetting(key: string, value: string): void {
    this.db.query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value);
  }
}
