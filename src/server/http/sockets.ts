/** Bun.serve has one WebSocket handler: this one hands each socket to its kind (device or viewer). */
import type { ServerWebSocket, WebSocketHandler } from "bun";
import type { DeviceSockets, SocketData } from "../ingest/device-socket.ts";
import type { ViewerData, ViewerSockets } from "../viewers/viewer-socket.ts";

export type WsData = SocketData | ViewerData;

const isViewer = (ws: ServerWebSocket<WsData>): ws is ServerWebSocket<ViewerData> => ws.data.kind === "viewer";
const asDevice = (ws: ServerWebSocket<WsData>) => ws as ServerWebSocket<SocketData>;

export function socketHandler(devices: DeviceSockets, viewers: ViewerSockets): WebSocketHandler<WsData> {
  const d = devices.handler;
  return {
    maxPayloadLength: d.maxPayloadLength,
    idleTimeout: d.idleTimeout,
    backpressureLimit: d.backpressureLimit,
    open: (ws) => (isViewer(ws) ? void viewers.opened(ws) : d.open?.(asDevice(ws))),
    message: (ws, m) => (isViewer(ws) ? viewers.message(ws, m) : d.message?.(asDevice(ws), m)),
    drain: (ws) => (isViewer(ws) ? viewers.drain(ws) : d.drain?.(asDevice(ws))),
    close: (ws, code, reason) => {
      ws.data.release?.(); // its connection slot
      return isViewer(ws) ? viewers.closed(ws) : d.close?.(asDevice(ws), code, reason);
    },
  };
}
