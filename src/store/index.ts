import type { Database } from "bun:sqlite";
import { AnswerLinkStore } from "./answer-links.ts";
import { AuditStore } from "./audit.ts";
import { CredentialStore } from "./credentials.ts";
import { openDatabase } from "./db.ts";
import { DeviceStore } from "./devices.ts";
import { OutputStore } from "./output.ts";
import { PromptStore } from "./prompts.ts";
import { PushStore } from "./push.ts";
import { SessionStore } from "./sessions.ts";
import { TranscriptStore } from "./transcript.ts";

export class Store {
  readonly devices: DeviceStore;
  readonly credentials: CredentialStore;
  readonly sessions: SessionStore;
  readonly output: OutputStore;
  readonly audit: AuditStore;
  readonly prompts: PromptStore;
  readonly transcript: TranscriptStore;
  readonly push: PushStore;
  readonly answerLinks: AnswerLinkStore;

  constructor(readonly db: Database) {
    this.devices = new DeviceStore(db);
    this.credentials = new CredentialStore(db);
    this.sessions = new SessionStore(db);
    this.output = new OutputStore(db);
    this.audit = new AuditStore(db);
    this.prompts = new PromptStore(db);
    this.transcript = new TranscriptStore(db);
    this.push = new PushStore(db);
    this.answerLinks = new AnswerLinkStore(db);
  }

  static open(path: string): Store {
    return new Store(openDatabase(path));
  }

  /** True if a write transaction can be taken right now (readiness). */
  writable(): boolean {
    try {
      this.db.exec("BEGIN IMMEDIATE; ROLLBACK");
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.db.close();
  }
}
