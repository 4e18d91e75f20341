// Publishes committed outbox rows on the bus, so every web replica's SSE streams get them at once.
import { OUTBOX_CHANNEL, type OutboxMessage } from "../../db/contracts/events";
import type { Bus } from "../../db/infra/bus";
import type { EventRow } from "../../db/store/schema";

export function toOutboxMessage(rows: EventRow[]): OutboxMessage {
  return {
    events: rows.map((r) => ({
      seq: r.seq,
      userId: r.userId,
      type: r.type as OutboxMessage["events"][number]["type"],
      payload: JSON.parse(r.payload),
      createdAt: r.createdAt,
    })),
  };
}

/** A lost publish is not lost data: the row is committed and a reconnecting stream replays it. */
export async function publishEvents(
  bus: Bus,
  rows: (EventRow | null)[],
  logger?: { warn(obj: object, msg: string): void },
): Promise<void> {
  const committed = rows.filter((r): r is EventRow => r !== null);
  if (committed.length === 0) return;
  try {
    await bus.publish(OUTBOX_CHANNEL, toOutboxMessage(committed));
  } catch (error) {
    logger?.warn({ err: error, seqs: committed.map((r) => r.seq) }, "publishing outbox events failed");
  }
}
