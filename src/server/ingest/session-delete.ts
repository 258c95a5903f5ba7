/**
 * Deleting a session from the dashboard: its stored output (in batches with a yield between them,
 * as retention does, so a large session never holds the event loop), its gaps, prompts, action
 * tokens, answer links and row, its kept screen and its search entries. A session a wrapper holds now is refused:
 * its wrapper would re-create it with its next output.
 */
import type { App } from "../app.ts";

const BATCH = 2000;
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

export type DeleteResult = { ok: true; chunks: number } | { ok: false; status: 404 | 409; error: "not_found" | "live"; detail: string };

export async function deleteSession(app: App, id: string): Promise<DeleteResult> {
  if (!app.store.sessions.get(id)) return { ok: false, status: 404, error: "not_found", detail: "no such session" };
  if (app.hub.connected(id))
    return {
      ok: false,
      status: 409,
      error: "live",
      detail: "the session's wrapper is connected: end the program first, or archive the session",
    };
  app.prompts.sessionDeleted(id);
  let chunks = 0;
  for (;;) {
    const n = app.store.output.deleteOldest(id, BATCH);
    chunks += n;
    if (n < BATCH) break;
    await yieldToLoop();
    if (app.hub.connected(id))
      return { ok: false, status: 409, error: "live", detail: "the session's wrapper connected while it was being deleted" };
  }
  app.store.sessions.removeRow(id);
  app.store.answerLinks.freeSession(id);
  app.hub.forget(id);
  // searches skip sessions the database no longer has; a forget lost here is redone when the worker starts
  await app.indexer.forget(id).catch((e) => app.log.warn("search_forget_failed", { sessionId: id, error: (e as Error).message }));
  app.events.publish("session.deleted", { sessionId: id });
  return { ok: true, chunks };
}
