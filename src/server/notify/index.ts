/** Builds the notifier from the server config: VAPID keys from the data dir, the push store. */
import type { Store } from "../../store/index.ts";
import type { ServerConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../ops/metrics-text.ts";
import { Notifier } from "./notifier.ts";
import { loadVapidKeys } from "./vapid.ts";

export { Notifier } from "./notifier.ts";

export function createNotifier(config: ServerConfig, store: Store, log: Logger): Notifier {
  return new Notifier({
    config,
    log,
    store: store.push,
    links: store.answerLinks,
    vapid: loadVapidKeys(config.dataDir),
    sessionName: (id) => store.sessions.get(id)?.name ?? null,
  });
}

/** Delivered and failed notifications, by channel, on /metrics. */
export function countOutcomes(metrics: Metrics) {
  return (channel: string, outcome: string) => {
    if (outcome === "sent") metrics.pushSent.inc({ channel });
    else if (outcome === "failed" || outcome === "dropped") metrics.pushFailures.inc({ channel });
  };
}
