/**
 * Where a viewer's events go: an SSE response (SseClient) or a viewer WebSocket (WsViewerSink).
 * Session and screen streams write to this, so both transports get the same events, the same
 * bounded queue and the same stall cut-off.
 */
import type { EventMap, EventName } from "../../protocol/events.ts";

export interface ViewerSink {
  /** Queues one event; false if the sink is closed (or was just cut off for being over its bound). */
  send<E extends EventName>(event: E, data: EventMap[E], id?: string | number): boolean;
  /** Room left in the queue, in wire bytes (negative when over). */
  readonly room: number;
  readonly isClosed: boolean;
  /** `cut` drops whatever is still queued (a stalled viewer); otherwise the queue drains first. */
  close(cut?: boolean): void;
}

export type SinkHooks = {
  maxQueuedBytes: number;
  /** Called when the viewer can take more (history is replayed page by page). */
  onDemand: () => void;
  onClose: () => void;
};

export type SinkFactory<S extends ViewerSink = ViewerSink> = (hooks: SinkHooks) => S;
