/**
 * The prompt lifecycle: pending → approved / denied / answered-locally / expired / cancelled.
 *
 * Hook prompts come from the wrapper (`prompt.open`) and are answered with `prompt.answer`, which
 * the wrapper turns into Claude Code's PermissionRequest hook response. Screen prompts are read off
 * the session's headless screen (sessions without hooks) and answered with keystrokes. Either way
 * the first answer wins: `PromptStore.resolve` moves a record out of `pending` exactly once, and
 * every later answer gets a conflict. A local answer is noticed by the wrapper (PostToolUse, the
 * hook request aborted, Stop) or here, by the dialog leaving the screen.
 */
import type { ScreenDialog } from "../../protocol/dialog.ts";
import type { SessionNotice } from "../../protocol/common.ts";
import type {
  ApproveBody,
  NoticeFrame,
  Prompt,
  PromptAnswer,
  PromptClosed,
  PromptOpen,
  PromptStatus,
  PromptTaken,
  Resolution,
} from "../../protocol/prompts.ts";
import { PLAN_TOOL, QUESTION_TOOL, shapeOf } from "../../protocol/questions.ts";
import type { PromptFilter } from "../../store/prompts.ts";
import type { Store } from "../../store/index.ts";
import { DialogWatch } from "../ingest/dialog-watch.ts";
import { detectDialog, sameDialog } from "../../agents/screen-dialogs.ts";
import type { EventLog } from "../viewers/event-log.ts";
import type { DeviceConn, Hub } from "../ingest/hub.ts";
import type { Logger } from "../log.ts";
import { type Choice, OptionError, hookChoice, hookOptions, screenChoice } from "./prompt-answers.ts";
import { type ScreenKeys, planChoice, planOptions, questionChoice, questionOptions, screenQuestionChoice } from "./question-answers.ts";
import { CHAT_LABEL, REVIEW_QUESTION, SUBMIT_SELECTED, TYPE_LABEL } from "../../agents/claude/question-dialog.ts";
import { elicitationChoice, elicitationOptions } from "./elicitation-answers.ts";
import { elicitationOnScreen } from "../../agents/claude/elicitation-screen.ts";
import { ELICITATION_TOOL, type ElicitationAction, type ElicitationContent } from "../../protocol/elicitation.ts";
import { type FormIO, answerForm, fieldsOf, schemaOf, walkForm } from "./form-keys.ts";
import { randomToken } from "../secrets.ts";

/** Who answers through the API, for `resolvedBy` and the audit log. */
export type Answerer = { actor: string; ip: string | null };

/** Why an answer was refused: no such prompt, an option it does not have, already answered (or gone from the screen), no wrapper to take it. */
export type AnswerError = "not_found" | "bad_option" | "conflict" | "not_connected";
export type AnswerResult = { ok: true; prompt: Prompt } | { ok: false; error: AnswerError; detail: string; prompt?: Prompt };

/** Claude Code ignores keys for a moment after drawing a dialog (~0.1–0.3 s, verified). */
const KEY_GRACE_MS = 400;
/** Between the steps of a multi-key answer (a question's free text, multi-select): the dialog redraws in between. */
const KEY_STEP_MS = 300;
/** A multi-select box is pressed at most this often, waiting this long each time for the screen to show it ticked. */
const TICK_ATTEMPTS = 3;
const TICK_WAIT_MS = 1000;
/** How long free text typed into a multi-select, or the review page after it, may take to show. */
const TYPE_WAIT_MS = 3000;
/** Arrow presses allowed to reach a multi-select's `Type something` row (a few rows, and a dropped press or two). */
const ROW_MOVES = 12;
/** Esc again if the form is still on screen this long after the last one (a key dropped while it was drawn). */
const FORM_KEY_RETRY_MS = 1500;
/** A screen prompt's deny message is typed once the dialog has left the screen, waiting at most this long for that… */
const MESSAGE_WAIT_MS = 5000;
/** …and then this long, so the agent's input box is back before the text arrives. */
const MESSAGE_SETTLE_MS = 300;
/** A dialog in a hooks session that no hook prompt claims within this long becomes a screen prompt. */
const UNCLAIMED_MS = 3000;
/** How long a new prompt waits for the screen to parse what the wrapper sent before it (bounded: output lost on the way never comes). */
const SCREEN_CATCH_UP_MS = 2000;
/** A form in a hooks session is the Elicitation hook's prompt's when one from the same server is this recent. */
const HOOK_FORM_MS = 10 * 60_000;
/** How long an answer may stay `sent` before it is `not_taken` and the prompt pending again. */
export const TAKEN_WAIT_MS = 5000;
/** Why a lost session's prompts were cancelled (the phone shows it). */
export const LOST_REASON = "the terminal's wrapper was killed or crashed";

type SessionState = {
  hooks: boolean;
  watch: DialogWatch | null;
  /** A dialog on screen that no prompt has claimed yet, and its fallback timer. */
  unclaimed: { dialog: ScreenDialog; timer: ReturnType<typeof setTimeout> } | null;
  /** A form dialog whose fields are being read with keys (its prompt opens once that is done). */
  walking: ScreenDialog | null;
};

export class PromptService {
  private sessions = new Map<string, SessionState>();
  /** promptId → the dialog on screen it was matched to. */
  private dialogs = new Map<string, ScreenDialog>();
  /** promptId → an API answer waiting to be taken: the dialog it answered (if one was on screen) and the not-taken timer. */
  private sent = new Map<string, { dialog: ScreenDialog | null; timer: ReturnType<typeof setTimeout> }>();
  /**
   * promptId → a prompt reopened as not taken whose dialog then left the screen: Claude may have
   * taken the first answer late (the wrapper's prompt.taken, or prompt.closed if the call ran with
   * another), so it is answered-locally only if the wrapper says nothing within TAKEN_WAIT_MS.
   */
  private leaving = new Map<string, ReturnType<typeof setTimeout>>();
  /**
   * promptId → the session's output seq when its hook prompt arrived. Claude Code draws a call's
   * dialog after asking the hook, so a dialog that was already off the screen by then (or was read
   * off a screen that had not parsed that far) belongs to an earlier call. Kept while the prompt can
   * still claim or be shown a dialog (pending or `sent`).
   */
  private openSeqs = new Map<string, number>();

  constructor(
    private store: Store,
    private hub: Hub,
    private events: EventLog,
    private log: Logger,
  ) {}

  list(f: PromptFilter): Prompt[] {
    return this.store.prompts.list(f);
  }

  get(id: string): Prompt | null {
    return this.store.prompts.get(id);
  }

  // ---- from the device socket ----

  /** A session (re)opened on a connection: start watching its screen. */
  async sessionOpened(sessionId: string, hooks: boolean): Promise<void> {
    let st = this.sessions.get(sessionId);
    if (!st) this.sessions.set(sessionId, (st = { hooks, watch: null, unclaimed: null, walking: null }));
    st.hooks = hooks;
    // Answers left `sent` by an earlier run of the server (or a lost connection) get their timer again.
    for (const p of this.store.prompts.sentFor(sessionId)) if (!this.sent.has(p.id)) this.awaitTaken(p, null);
    const screen = await this.hub.screenOf(sessionId);
    if (!screen || st.watch?.screen === screen || this.sessions.get(sessionId) !== st) return;
    st.watch?.dispose();
    st.watch = new DialogWatch(screen, {
      appeared: (d) => this.dialogAppeared(sessionId, d),
      gone: (d) => this.dialogGone(sessionId, d),
    });
  }

  /** The session ended: nothing can answer its prompts any more. */
  sessionExited(conn: DeviceConn, sessionId: string): void {
    if (this.owns(conn, sessionId)) this.cancelAll(sessionId, "session exited");
  }

  /** The session's wrapper died (its device reported it, see Hub.lost): its prompts can never land. Returns how many were pending. */
  sessionLost(sessionId: string): number {
    return this.cancelAll(sessionId, LOST_REASON);
  }

  /** The session is being deleted from the dashboard: its pending prompts end (the phone is told) and its state goes. */
  sessionDeleted(sessionId: string): number {
    return this.cancelAll(sessionId, "the session was deleted");
  }

  opened(conn: DeviceConn, f: PromptOpen): string | null {
    if (!this.owns(conn, f.sessionId)) return "session not open on this connection";
    const existing = this.store.prompts.get(f.promptId);
    if (existing) {
      if (existing.sessionId !== f.sessionId) return "prompt id belongs to another session";
      this.resendAnswer(existing); // a re-sent open after a reconnect: the answer may have been lost
      return null;
    }
    const now = Date.now();
    const base = { tool: f.tool, input: f.input, suggestions: f.suggestions };
    const shape = shapeOf(f.tool, f.input);
    const options =
      shape.kind === "question"
        ? questionOptions(shape.questions)
        : shape.kind === "plan"
          ? planOptions(shape.plan)
          : shape.kind === "elicitation"
            ? elicitationOptions()
            : hookOptions(base);
    const prompt: Prompt = {
      id: f.promptId,
      sessionId: f.sessionId,
      source: "hook",
      agent: "claude",
      ...base,
      ...shape,
      delivery: null,
      title: null,
      question: null,
      body: [],
      options,
      status: "pending",
      createdAt: now,
      updatedAt: now,
      resolvedAt: null,
      resolvedBy: null,
      resolution: null,
      hookSessionId: f.hookSessionId ?? null,
      toolUseId: f.toolUseId ?? null,
    };
    this.store.prompts.insert(prompt);
    const openSeq = this.hub.receivedSeq(f.sessionId);
    this.openSeqs.set(prompt.id, openSeq);
    this.changed(prompt, "created");
    void this.claimShown(f.sessionId, prompt.id, openSeq);
    return null;
  }

  /**
   * A dialog already on screen when a hook prompt arrives (drawn before the wrapper forwarded the
   * hook): claimed once the screen has parsed everything the wrapper sent before the prompt, if it
   * is still there then and shows this call. The watch's `current` alone would not do: it lags the
   * screen, and the previous call's dialog, erased just before this call asked, is still in it.
   */
  private async claimShown(sessionId: string, id: string, openSeq: number): Promise<void> {
    await this.hub.screenReached(sessionId, openSeq, SCREEN_CATCH_UP_MS);
    const st = this.sessions.get(sessionId);
    const d = st?.watch?.current;
    const p = this.store.prompts.get(id);
    if (!st || !d || !p || p.status !== "pending" || this.dialogs.has(id)) return;
    if (this.ownedByHook(d) || !fits(d, p) || !st.watch!.showsNow(d)) return;
    this.claim(st, p, d);
  }

  /** Whether a hook prompt (pending, or answered and waiting to be taken) already has this dialog. */
  private ownedByHook(d: ScreenDialog): boolean {
    for (const [id, shown] of this.dialogs) if (shown === d && this.store.prompts.get(id)?.source === "hook") return true;
    for (const s of this.sent.values()) if (s.dialog === d) return true;
    return false;
  }

  closed(conn: DeviceConn, f: PromptClosed): string | null {
    if (!this.owns(conn, f.sessionId)) return "session not open on this connection";
    let p = this.store.prompts.get(f.promptId);
    if (!p || p.sessionId !== f.sessionId) return null; // never opened here (or not ours): nothing to close
    if (f.how === "answered-locally" && p.resolution?.via === "api" && p.delivery === "sent") {
      // The terminal's answer came first after all: the API's answer was never taken.
      this.forgetSent(p.id);
      p = this.store.prompts.reopen(p.id) ?? p;
    }
    const via = f.how === "answered-locally" ? "terminal" : "system";
    this.finish(p.id, f.how, via, { decision: f.decision ?? null, via, ...(f.reason ? { reason: f.reason } : {}) }, f.at);
    return null;
  }

  /** The wrapper saw the agent act on the server's answer. A prompt already reopened as not taken is resolved after all. */
  taken(conn: DeviceConn, f: PromptTaken): string | null {
    if (!this.owns(conn, f.sessionId)) return "session not open on this connection";
    const p = this.store.prompts.get(f.promptId);
    if (!p || p.sessionId !== f.sessionId || p.resolution?.via !== "api") return null;
    this.markTaken(p);
    return null;
  }

  notice(conn: DeviceConn, f: NoticeFrame): string | null {
    if (!this.owns(conn, f.sessionId)) return "session not open on this connection";
    const notice: SessionNotice = { kind: f.kind, message: f.message, at: Date.now() };
    this.store.sessions.setNotice(f.sessionId, notice);
    this.events.publish("notice", { sessionId: f.sessionId, ...notice });
    this.hub.publishSession(f.sessionId);
    return null;
  }

  // ---- from the API ----

  approve(id: string, body: ApproveBody | string | undefined, by: Answerer): AnswerResult {
    const b: ApproveBody = typeof body === "string" ? { option: body } : (body ?? {});
    return this.answer(
      id,
      by,
      (p) => {
        if (p.kind === "elicitation") return this.formChoice(p, b);
        if (b.content) throw new OptionError(`content is for elicitation prompts; this is a ${p.kind} prompt`);
        if (p.kind === "question" && p.source === "hook") return questionChoice(p, b);
        if (p.kind === "question") return screenQuestionChoice(p, this.screenDialogOf(p), b);
        if (b.answers || b.text !== undefined)
          throw new OptionError(
            `answers and text are for question prompts; this is a ${p.kind} prompt with options ${p.options.map((o) => o.key).join(", ")}`,
          );
        if (p.kind === "plan" && p.source === "hook") return planChoice(p, b.option, undefined);
        return p.source === "hook" ? hookChoice(p, b.option) : this.screenChoiceFor(p, b.option);
      },
      undefined,
    );
  }

  reject(id: string, message: string | undefined, by: Answerer): AnswerResult {
    return this.answer(
      id,
      by,
      (p) =>
        p.kind === "elicitation"
          ? this.formChoice(p, { option: "decline" })
          : p.source === "hook"
            ? { decision: "deny", option: "no" }
            : this.screenChoiceFor(p, "no"),
      message,
    );
  }

  stop(): void {
    for (const id of [...this.sent.keys()]) this.forgetSent(id);
    for (const id of [...this.leaving.keys()]) this.forgetLeaving(id);
    for (const [id, st] of this.sessions) this.dropSession(id, st);
  }

  // ---- internals ----

  private answer(
    id: string,
    by: Answerer,
    choose: (p: Prompt) => Choice & Partial<Omit<ScreenKeys, "keys">> & { keys?: string | string[] },
    message: string | undefined,
  ): AnswerResult {
    const p = this.store.prompts.get(id);
    if (!p) return { ok: false, error: "not_found", detail: "no such prompt" };
    if (p.status !== "pending") return conflict(p);
    let choice: Choice & Partial<Omit<ScreenKeys, "keys">> & { keys?: string | string[] };
    try {
      choice = choose(p);
    } catch (e) {
      if (e instanceof OptionError) return { ok: false, error: e.error, detail: e.message, prompt: p };
      throw e;
    }
    if (!this.hub.connected(p.sessionId)) {
      return { ok: false, error: "not_connected", detail: "the session's wrapper is not connected; the prompt stays pending", prompt: p };
    }
    const denyMessage =
      choice.decision === "deny" && !choice.elicitation
        ? message?.trim() || choice.message || (p.source === "hook" ? "The user denied this from claude-remote." : undefined)
        : undefined;
    const resolution: Resolution = {
      decision: choice.decision,
      via: "api",
      option: choice.option,
      ip: by.ip,
      ...(denyMessage ? { message: denyMessage } : {}),
      ...(choice.updatedPermissions ? { updatedPermissions: choice.updatedPermissions } : {}),
      ...(choice.answers ? { answers: choice.answers } : {}),
      ...(choice.elicitation ? { action: choice.elicitation.action } : {}),
      ...(choice.elicitation?.content ? { content: choice.elicitation.content } : {}),
      delivery: "sent",
    };
    const status: PromptStatus = choice.decision === "allow" ? "approved" : "denied";
    const dialog = this.dialogs.get(p.id) ?? this.sent.get(p.id)?.dialog ?? null; // finish() forgets it
    // A hook answer that was not taken: the hook request was already answered, so a dialog still on screen gets keys.
    const byKeys =
      p.source === "screen" ||
      (p.delivery === "not_taken" && p.kind === "permission" && !!dialog && this.sessions.get(p.sessionId)?.watch?.current === dialog);
    if (byKeys && p.source === "hook") {
      try {
        choice = { ...choice, keys: screenChoice(dialog!, choice.decision === "deny" ? "no" : choice.option).keys };
      } catch (e) {
        if (e instanceof OptionError) return { ok: false, error: "bad_option", detail: e.message, prompt: p };
        throw e;
      }
    }
    const resolved = this.finish(p.id, status, `${by.actor}${by.ip ? `@${by.ip}` : ""}`, resolution);
    if (!resolved) return conflict(this.store.prompts.get(id) ?? p);
    this.awaitTaken(resolved, dialog);
    if (!byKeys) this.resendAnswer(resolved);
    if (resolved.kind === "elicitation" && resolved.source === "hook") void this.closeFormOnScreen(resolved);
    else if (resolved.kind === "elicitation") void this.answerFormOnScreen(resolved, choice.elicitation!);
    else if (byKeys) {
      if (choice.toggle) void this.tickAndSubmit(p.sessionId, choice.toggle, choice.submit !== false, choice.typeText);
      else this.typeKeys(p.sessionId, choice.keys ?? "");
      if (denyMessage && dialog) void this.typeAfterDialog(p.sessionId, dialog, denyMessage);
    }
    return { ok: true, prompt: resolved };
  }

  /** An elicitation's answer, checked against its form; a form read off the screen must still be there, and its text typeable. */
  private formChoice(p: Prompt, b: ApproveBody): Choice {
    const choice = elicitationChoice(p, b);
    if (p.source !== "screen") return choice;
    this.screenDialogOf(p);
    for (const [k, v] of Object.entries(choice.elicitation?.content ?? {}))
      if (typeof v === "string" && /[\x00-\x1f\x7f]/.test(v))
        throw new OptionError(`${JSON.stringify(k)}: the terminal's form takes one line of text (no newlines, tabs or control characters)`);
    return choice;
  }

  private screenChoiceFor(p: Prompt, option: string | undefined) {
    return screenChoice(this.screenDialogOf(p), option);
  }

  private screenDialogOf(p: Prompt): ScreenDialog {
    const dialog = this.dialogs.get(p.id);
    const watch = this.sessions.get(p.sessionId)?.watch;
    if (!dialog || !watch || watch.current !== dialog) throw new OptionError("the dialog is no longer on the session's screen", "conflict");
    return dialog;
  }

  /** Sends keystrokes (steps a moment apart), but not inside the moment right after the dialog appeared, when they are dropped. */
  private typeKeys(sessionId: string, keys: string | string[]): void {
    const since = this.sessions.get(sessionId)?.watch?.since ?? 0;
    const wait = Math.max(0, since + KEY_GRACE_MS - Date.now());
    const steps = typeof keys === "string" ? [keys] : keys;
    // a multi-step answer starts a step later: the first toggle of a multi-select was dropped at the grace's end
    const first = steps.length > 1 ? KEY_STEP_MS : 0;
    steps.forEach((k, i) => {
      const at = wait + first + i * KEY_STEP_MS;
      if (at === 0) this.hub.input(sessionId, k);
      else setTimeout(() => this.hub.input(sessionId, k), at);
    });
  }

  /**
   * A multi-select question answered with keys: each chosen box is ticked (its digit), and the next
   * only once the screen shows it ticked (a digit pressed as the dialog settles was seen dropped),
   * pressing again if it did not take; then → to the Submit tab and Enter. With free text
   * (`typeText`): ↓/↑ until the `Type something` row is focused, the text (its box ticks), ↓ to the
   * `Submit` row, Enter (the review page), Enter — each step once the screen shows the last; in one
   * of several tabs the row is `Next` and its Enter shows the next question, where this stops.
   */
  private async tickAndSubmit(sessionId: string, keys: string[], submit: boolean, typeText?: { key: string; text: string }): Promise<void> {
    const since = this.sessions.get(sessionId)?.watch?.since ?? 0;
    await Bun.sleep(Math.max(0, since + KEY_GRACE_MS - Date.now()));
    const read = async () => {
      const screen = await this.hub.screenOf(sessionId);
      return screen ? detectDialog(screen.lines()) : null;
    };
    const checked = async () => {
      const d = await read();
      return d?.kind === "question" ? (d.checked ?? []) : null;
    };
    const stopped = (reason: string) => this.log.warn("answer_keys_stopped", { sessionId, reason });
    /** Waits up to `ms` for `ok` to hold on the screen. */
    const until = async (ok: (d: ScreenDialog | null) => boolean, ms = TICK_WAIT_MS) => {
      for (const deadline = Date.now() + ms; Date.now() < deadline; await Bun.sleep(50)) if (ok(await read())) return true;
      return ok(await read());
    };
    for (const k of keys) {
      for (let attempt = 0; attempt < TICK_ATTEMPTS; attempt++) {
        const now = await checked();
        if (now === null) return stopped("the question left the screen");
        if (now.includes(k)) break;
        this.hub.input(sessionId, k);
        await until((d) => d?.kind === "question" && !!d.checked?.includes(k));
      }
    }
    if (typeText) {
      const isQuestion = (d: ScreenDialog | null): d is ScreenDialog => d?.kind === "question";
      for (let moves = 0; ; moves++) {
        const d = await read();
        if (!isQuestion(d) || !d.selected) return stopped("the question left the screen");
        if (d.selected === typeText.key) break;
        if (moves >= ROW_MOVES) return stopped("the Type something row could not be focused");
        const up = d.selected === SUBMIT_SELECTED || Number(d.selected) > Number(typeText.key);
        this.hub.input(sessionId, up ? "\x1b[A" : "\x1b[B");
        await until((x) => !isQuestion(x) || x.selected !== d.selected);
      }
      this.hub.input(sessionId, typeText.text);
      // a long text wraps in its row: its start showing is enough (the keys after it come after it)
      const shows = (d: ScreenDialog | null) => isQuestion(d) && !!d.typed && typeText.text.replace(/\s+/g, " ").startsWith(d.typed);
      if (!(await until(shows, TYPE_WAIT_MS))) return stopped("the typed text did not show");
      this.hub.input(sessionId, "\x1b[B");
      if (!(await until((d) => isQuestion(d) && d.selected === SUBMIT_SELECTED))) return stopped("the Submit row was not focused");
      this.hub.input(sessionId, "\r");
      if (!submit) return; // one of several tabs: Enter on the `Next` row showed the next question
      if (!(await until((d) => d?.question === REVIEW_QUESTION, TYPE_WAIT_MS))) return stopped("the review page did not show");
      this.hub.input(sessionId, "\r");
      return;
    }
    this.hub.input(sessionId, "\x1b[C");
    if (!submit) return; // one of several tabs: → showed the next question
    await Bun.sleep(KEY_STEP_MS);
    this.hub.input(sessionId, "\r");
  }

  /**
   * A screen prompt denied with a message: the agent has no channel for it, so it is typed into the
   * agent's input, as a person would after "No, and tell it what to do differently": once the
   * dialog has left the screen, as one line (control characters become spaces) and Enter. If the
   * dialog does not leave within MESSAGE_WAIT_MS, nothing is typed.
   */
  private async typeAfterDialog(sessionId: string, dialog: ScreenDialog, message: string): Promise<void> {
    const deadline = Date.now() + MESSAGE_WAIT_MS;
    while (this.sessions.get(sessionId)?.watch?.current === dialog) {
      if (Date.now() > deadline) return this.log.warn("deny_message_not_typed", { sessionId, reason: "the dialog stayed on screen" });
      await Bun.sleep(50);
    }
    await Bun.sleep(MESSAGE_SETTLE_MS);
    if (!this.hub.input(sessionId, `${message.replace(/[\x00-\x1f\x7f]+/g, " ")}\r`))
      this.log.warn("deny_message_not_typed", { sessionId, reason: "the wrapper is not connected" });
  }

  /** Sends the API's answer of a hook prompt to the wrapper (again, after a reconnect). */
  private resendAnswer(p: Prompt): void {
    const r = p.resolution;
    if (p.source !== "hook" || r?.via !== "api" || !r.decision) return;
    const frame: PromptAnswer = {
      type: "prompt.answer",
      sessionId: p.sessionId,
      promptId: p.id,
      decision: r.decision,
      ...(r.message ? { message: r.message } : {}),
      ...(r.updatedPermissions ? { updatedPermissions: r.updatedPermissions } : {}),
      ...(r.answers ? { answers: r.answers } : {}),
      ...(p.kind === "plan" && r.decision === "allow" ? { echoInput: true } : {}),
      ...(p.kind === "elicitation" && r.action ? { elicitation: { action: r.action, ...(r.content ? { content: r.content } : {}) } } : {}),
    };
    this.hub.send(p.sessionId, frame);
  }

  /**
   * An elicitation's answer waits in the wrapper for the ElicitationResult hook, which Claude Code
   * runs once its form dialog is answered: Esc (cancel) on the dialog, once it is on screen (and
   * again if a key was dropped), while the answer is `sent`.
   */
  private async closeFormOnScreen(p: Prompt): Promise<void> {
    const server = String(p.input.server ?? "");
    let shownSince = 0;
    let pressed = 0;
    while (this.sent.has(p.id)) {
      const screen = await this.hub.screenOf(p.sessionId);
      const now = Date.now();
      if (!screen || !elicitationOnScreen(screen.lines(), server)) shownSince = 0;
      else if (!shownSince) shownSince = now;
      else if (now - shownSince >= KEY_GRACE_MS && now - pressed > FORM_KEY_RETRY_MS) {
        pressed = now;
        this.hub.input(p.sessionId, "\x1b");
      }
      await Bun.sleep(100);
    }
  }

  /** The keys and screen of a session's form dialog. */
  private formIO(sessionId: string): FormIO {
    return {
      lines: async () => (await this.hub.screenOf(sessionId))?.lines() ?? null,
      press: (keys) => void this.hub.input(sessionId, keys),
    };
  }

  /**
   * A form read off the screen answered from the API: filled and submitted with keys, the not-taken
   * timer restarted at each key (a long form takes a while). Taken once the dialog leaves; a fill
   * that stops (a key the screen did not show) is not taken at once, the form left as it is.
   */
  private async answerFormOnScreen(p: Prompt, answer: { action: ElicitationAction; content?: ElicitationContent }): Promise<void> {
    const since = this.sessions.get(p.sessionId)?.watch?.since ?? 0;
    await Bun.sleep(Math.max(0, since + KEY_GRACE_MS - Date.now()));
    const io = this.formIO(p.sessionId);
    const press: FormIO["press"] = (keys) => {
      this.rearmSent(p.id);
      io.press(keys);
    };
    const why = await answerForm({ ...io, press }, fieldsOf(p.form!), answer, () => this.sent.has(p.id));
    if (!why) return this.rearmSent(p.id);
    this.log.warn("answer_keys_stopped", { sessionId: p.sessionId, id: p.id, reason: why });
    if (this.sent.has(p.id)) this.notTaken(p.id);
  }

  private rearmSent(id: string): void {
    const s = this.sent.get(id);
    if (!s) return;
    clearTimeout(s.timer);
    s.timer = setTimeout(() => this.notTaken(id), TAKEN_WAIT_MS);
  }

  /** An API answer is `sent`: taken once the agent shows it (taken(), or its dialog leaving the screen), else reopened as not taken. */
  private awaitTaken(p: Prompt, dialog: ScreenDialog | null): void {
    this.forgetSent(p.id);
    const timer = setTimeout(() => this.notTaken(p.id), TAKEN_WAIT_MS);
    this.sent.set(p.id, { dialog, timer });
  }

  private forgetSent(id: string): void {
    const s = this.sent.get(id);
    if (s) clearTimeout(s.timer);
    this.sent.delete(id);
    if (this.store.prompts.get(id)?.status !== "pending") this.openSeqs.delete(id);
  }

  private forgetLeaving(id: string): void {
    clearTimeout(this.leaving.get(id));
    this.leaving.delete(id);
  }

  private markTaken(p: Prompt): void {
    this.forgetSent(p.id);
    this.forgetLeaving(p.id);
    if (p.delivery === "taken") return;
    let updated: Prompt | null;
    if (p.status === "pending") {
      // Reopened as not taken, and then the agent took the first answer after all.
      const r = p.resolution!;
      updated = this.store.prompts.resolve(p.id, r.decision === "allow" ? "approved" : "denied", p.resolvedBy ?? "api", {
        ...r,
        delivery: "taken",
      });
      if (updated) this.dialogs.delete(p.id);
      if (updated) return this.changed(updated, "resolved");
    }
    updated = this.store.prompts.setDelivery(p.id, "taken");
    if (updated) this.changed(updated, "updated");
  }

  /** Nothing showed the agent took the answer: the prompt is pending again, answerable, and says so. */
  private notTaken(id: string): void {
    const s = this.sent.get(id);
    this.sent.delete(id);
    const p = this.store.prompts.reopen(id);
    if (!p) return;
    if (s?.dialog && this.sessions.get(p.sessionId)?.watch?.current === s.dialog) this.dialogs.set(id, s.dialog);
    this.log.warn("answer_not_taken", { id, sessionId: p.sessionId, tool: p.tool });
    // An elicitation's answer waits in the wrapper for the form's result: withdrawn, so a later Esc at the terminal is a cancel.
    const r = p.resolution;
    if (p.source === "hook" && p.kind === "elicitation" && r?.decision)
      this.hub.send(p.sessionId, { type: "prompt.answer", sessionId: p.sessionId, promptId: p.id, decision: r.decision, withdraw: true });
    this.changed(p, "resolved");
  }

  /** Resolves a pending prompt (first caller wins) and tells everyone. Null if it was not pending. */
  private finish(id: string, status: Exclude<PromptStatus, "pending">, by: string, resolution: Resolution, at?: number): Prompt | null {
    const p = this.store.prompts.resolve(id, status, by, resolution, at);
    if (!p) return null;
    this.dialogs.delete(id);
    this.forgetLeaving(id);
    if (resolution.via !== "api") this.openSeqs.delete(id); // an API answer keeps it until taken
    this.changed(p, "resolved");
    return p;
  }

  private changed(p: Prompt, change: "created" | "updated" | "resolved"): void {
    this.events.publish("prompt", { prompt: p, change });
    if (change !== "updated") this.hub.publishSession(p.sessionId); // pendingPrompts (and so `waiting`) changed
    this.log.info(`prompt_${change}`, { id: p.id, sessionId: p.sessionId, source: p.source, tool: p.tool, status: p.status });
  }

  private dialogAppeared(sessionId: string, d: ScreenDialog): void {
    const st = this.sessions.get(sessionId);
    if (!st) return;
    const claimed = new Set(this.dialogs.keys());
    const unclaimed = this.store.prompts.pendingFor(sessionId).filter((p) => !claimed.has(p.id));
    // After a server restart: the screen prompt this dialog already has.
    const same = unclaimed.find(
      (p) => p.source === "screen" && p.question === d.question && p.title === d.title && p.body.join("\n") === d.body.join("\n"),
    );
    if (same) return void this.dialogs.set(same.id, d);
    // Only a prompt that asked before this dialog was read, and whose call it shows (oldest first).
    const pos = st.watch?.sinceSeq ?? 0;
    const claimable = (p: Prompt) => p.source === "hook" && (this.openSeqs.get(p.id) ?? 0) <= pos && fits(d, p);
    const match = unclaimed.find(claimable);
    if (match) return this.claim(st, match, d);
    // An answer sent before its dialog was read: the dialog is that call's, and its leaving shows the answer was taken.
    for (const [id, s] of this.sent) {
      const p = s.dialog ? null : this.store.prompts.get(id);
      if (p?.sessionId === sessionId && claimable(p)) return void (s.dialog = d);
    }
    if (!st.hooks) return this.openFromScreen(sessionId, d);
    // A hooks session: the hook's prompt usually arrives first; if none does, read it off the screen.
    this.clearUnclaimed(st);
    st.unclaimed = {
      dialog: d,
      timer: setTimeout(() => {
        if (st.unclaimed?.dialog !== d) return;
        st.unclaimed = null;
        if (st.watch?.current === d) this.openFromScreen(sessionId, d);
      }, UNCLAIMED_MS),
    };
  }

  private dialogGone(sessionId: string, d: ScreenDialog): void {
    const st = this.sessions.get(sessionId);
    if (st?.unclaimed?.dialog === d) this.clearUnclaimed(st);
    for (const [id, s] of [...this.sent]) {
      if (s.dialog !== d) continue;
      const p = this.store.prompts.get(id);
      if (p) this.markTaken(p);
    }
    for (const [id, shown] of this.dialogs) {
      if (shown !== d) continue;
      this.dialogs.delete(id);
      const p = this.store.prompts.get(id);
      if (p?.source === "hook" && p.delivery === "not_taken" && !this.leaving.has(id)) {
        // Its first answer may be what took the dialog away: wait for the wrapper to say which answer the call ran with.
        this.leaving.set(
          id,
          setTimeout(() => {
            this.leaving.delete(id);
            this.finish(id, "answered-locally", "terminal", { decision: null, via: "terminal", reason: "the dialog left the screen" });
          }, TAKEN_WAIT_MS),
        );
        continue;
      }
      this.finish(id, "answered-locally", "terminal", { decision: null, via: "terminal", reason: "the dialog left the screen" });
    }
  }

  /** Attaches the dialog on screen to a prompt: its title, question, body and options. */
  private claim(st: SessionState, p: Prompt, d: ScreenDialog): void {
    if (st.unclaimed?.dialog === d) this.clearUnclaimed(st);
    // A screen prompt opened as a fallback for this dialog is superseded by the hook's.
    for (const [id, shown] of this.dialogs) {
      if (shown === d && id !== p.id) {
        this.dialogs.delete(id);
        this.finish(id, "cancelled", "system", { decision: null, via: "system", reason: "superseded by the hook's prompt" });
      }
    }
    this.dialogs.set(p.id, d);
    // A question's or plan's options come from the hook's input, keyed for its answers; the screen adds only its wording.
    const options = p.kind === "permission" ? d.options : p.options;
    const updated = this.store.prompts.setDialog(p.id, { title: d.title, question: d.question, body: d.body, options });
    if (updated) this.changed(updated, "updated");
  }

  private openFromScreen(sessionId: string, d: ScreenDialog): void {
    if (d.kind !== "elicitation") return this.openScreenPrompt(sessionId, d, screenCall(d));
    const st = this.sessions.get(sessionId);
    if (!st || st.walking || (st.hooks && this.hookFormFor(sessionId, d))) return;
    st.walking = d;
    void this.openFormPrompt(sessionId, st, d).finally(() => {
      if (st.walking === d) st.walking = null;
    });
  }

  /**
   * Whether the Elicitation hook already opened a prompt for this form (it runs before the form is
   * drawn). Matched by server only: the screen wraps and renders the message, the hook may clip it.
   */
  private hookFormFor(sessionId: string, d: ScreenDialog): boolean {
    const recent = Date.now() - HOOK_FORM_MS;
    return this.store.prompts
      .list({ session: sessionId, limit: 50 })
      .some((p) => p.source === "hook" && p.kind === "elicitation" && p.createdAt >= recent && p.input.server === d.title);
  }

  /**
   * A form dialog with no hook behind it: its fields are read by walking the focus over them (the
   * screen shows a field's kind only when it is focused), then the prompt opens with the form as
   * read. A walk that stopped still opens it, decline / cancel only, saying why.
   */
  private async openFormPrompt(sessionId: string, st: SessionState, d: ScreenDialog): Promise<void> {
    await Bun.sleep(Math.max(0, (st.watch?.since ?? 0) + KEY_GRACE_MS - Date.now()));
    const walk = await walkForm(this.formIO(sessionId));
    if (walk.error) this.log.warn("form_not_read", { sessionId, reason: walk.error });
    const now = st.watch?.current;
    // the dialog may have been redrawn (read again) meanwhile: the prompt is the one on screen now
    if (this.sessions.get(sessionId) !== st || !now || !sameDialog(now, d)) return;
    const input = {
      server: d.title ?? "",
      message: d.question,
      mode: "form",
      requestedSchema: schemaOf(walk.fields),
      ...(walk.error ? { unreadable: walk.error } : {}),
    };
    this.openScreenPrompt(sessionId, now, { tool: ELICITATION_TOOL, input });
  }

  private openScreenPrompt(sessionId: string, d: ScreenDialog, call: Pick<Prompt, "tool" | "input">): void {
    const now = Date.now();
    const prompt: Prompt = {
      id: randomToken(12),
      sessionId,
      source: "screen",
      agent: d.agent,
      ...call,
      suggestions: [],
      title: d.title,
      question: d.question,
      body: d.body,
      options: d.options,
      status: "pending",
      createdAt: now,
      updatedAt: now,
      resolvedAt: null,
      resolvedBy: null,
      resolution: null,
      hookSessionId: null,
      toolUseId: null,
      ...shapeOf(call.tool, call.input),
      delivery: null,
    };
    this.store.prompts.insert(prompt);
    this.dialogs.set(prompt.id, d);
    this.changed(prompt, "created");
  }

  private clearUnclaimed(st: SessionState): void {
    if (st.unclaimed) clearTimeout(st.unclaimed.timer);
    st.unclaimed = null;
  }

  private cancelAll(sessionId: string, reason: string): number {
    // An answer still `sent` can no longer be taken: reopened, so it ends cancelled with the pending ones (never left `sent`).
    for (const p of this.store.prompts.sentFor(sessionId)) {
      this.forgetSent(p.id);
      this.store.prompts.reopen(p.id);
    }
    const pending = this.store.prompts.pendingFor(sessionId);
    for (const p of pending) this.finish(p.id, "cancelled", "system", { decision: null, via: "system", reason });
    for (const [id] of [...this.sent]) if (this.store.prompts.get(id)?.sessionId === sessionId) this.forgetSent(id);
    for (const p of pending) this.openSeqs.delete(p.id);
    const st = this.sessions.get(sessionId);
    if (st) this.dropSession(sessionId, st);
    return pending.length;
  }

  private dropSession(sessionId: string, st: SessionState): void {
    st.watch?.dispose();
    this.clearUnclaimed(st);
    this.sessions.delete(sessionId);
  }

  private owns(conn: DeviceConn, sessionId: string): boolean {
    return this.store.sessions.get(sessionId)?.deviceId === conn.deviceId;
  }
}

function conflict(p: Prompt): AnswerResult {
  return { ok: false, error: "conflict", detail: `prompt already ${p.status}`, prompt: p };
}

/**
 * Whether a dialog can be this hook prompt's: it shows the call's command, file or URL (when the
 * input has one; a dialog re-wraps long rows, so whitespace is ignored).
 */
function fits(d: ScreenDialog, p: Prompt): boolean {
  if ((d.kind ?? "permission") !== p.kind) return false;
  if (p.kind === "elicitation") return false; // a hook's form is answered through ElicitationResult, not the dialog
  if (p.kind === "question") return p.questions.length === 1 && p.questions[0]!.question === d.question;
  if (p.kind === "plan") return true;
  const flat = (s: string) => s.replace(/\s+/g, "");
  const text = flat([d.title ?? "", ...d.header, ...d.body, d.question].join(""));
  const input = p.input as Record<string, unknown>;
  let probes = 0;
  for (const k of ["command", "url", "file_path", "notebook_path", "path"]) {
    const v = input[k];
    if (typeof v !== "string" || !v) continue;
    const probe = flat(k === "command" ? v.split("\n")[0]!.slice(0, 40) : v.split("/").pop()!);
    if (!probe) continue;
    probes++;
    if (text.includes(probe)) return true;
  }
  return probes === 0;
}

/**
 * The call a dialog read off the screen stands for: a question dialog is an AskUserQuestion with
 * the one question drawn, a plan dialog an ExitPlanMode with the plan as drawn (the record's kind,
 * questions and plan are derived from them), any other dialog the rows it showed.
 */
function screenCall(d: ScreenDialog): Pick<Prompt, "tool" | "input"> {
  if (d.kind === "question") {
    const choices = d.options.filter((o) => !TYPE_LABEL.test(o.label) && !CHAT_LABEL.test(o.label));
    const options = choices.map((o) => ({ label: o.label, ...(o.description ? { description: o.description } : {}) }));
    return {
      tool: QUESTION_TOOL,
      input: { questions: [{ question: d.question, header: d.title ?? "", multiSelect: d.multiSelect === true, options }] },
    };
  }
  if (d.kind === "plan") return { tool: PLAN_TOOL, input: d.body.length > 0 ? { plan: d.body.join("\n") } : {} };
  return { tool: d.title ?? d.agent, input: { header: d.header, body: d.body, ...(d.notice ? { notice: d.notice } : {}) } };
}
