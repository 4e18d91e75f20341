// Publishes committed outbox rows on the bus, so every web replica's SSE streams get them at once.
import { CHANNELS } from "../../db/contracts/queues-and-channels";
import { type OutboxMessage } from "../../db/contracts/events";
import type { Bus } from "../../db/infra/bus";
import { toOutboxEvent } from "../../db/store/queries/event-replay";
import type { EventRow } from "../../db/store/schema";

/** A lost publish is not lost data: the row is committed and a reconnecting stream replays it. */
export async function publishEvents(
  bus: Bus,
  rows: (EventRow | null)[],
  logger?: { warn(obj: object, msg: string): void },
): Promise<void> {
  const committed = rows.filter((r): r is EventRow => r !== null);
  if (committed.length === 0) return;
  try {
    await bus.publish(CHANNELS.outbox, { events: committed.map(toOutboxEvent) } satisfies OutboxMessage);
  } catch (error) {
    logger?.warn({ err: error, seqs: committed.map((r) => r.seq) }, "publishing outbox events failed");
  }
}
