// Redis seats: one sorted set per key, each holder scored by when its place lapses on Redis's own clock (hosts
// with different clocks agree); the checks and writes of a take run in one Lua script, so concurrent takes on
// different processes cannot pass the cap together.
import type { Redis } from "ioredis";
import type { Seats } from "./seats";
import { assertTtl } from "./ttl";

// Drops the lapsed places, then holds ARGV[1] until now + ARGV[2]; the key itself lapses with its last place.
const PRELUDE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now)
local function hold()
  redis.call("ZADD", KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  if redis.call("PTTL", KEYS[1]) < tonumber(ARGV[2]) then redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
end`;

const TAKE = `${PRELUDE}
if redis.call("ZSCORE", KEYS[1], ARGV[1]) or redis.call("ZCARD", KEYS[1]) < tonumber(ARGV[3]) then
  hold()
  return 1
end
return 0`;

const RENEW = `${PRELUDE}
hold()
return 1`;

const COUNT = `${PRELUDE}
return redis.call("ZCARD", KEYS[1])`;

type SeatScripts = {
  candlecastTakeSeat(key: string, holder: string, ttlMs: number, cap: number): Promise<number>;
  candlecastRenewSeat(key: string, holder: string, ttlMs: number): Promise<number>;
  candlecastCountSeats(key: string): Promise<number>;
};

/** Keys go through the client's keyPrefix (ioredis prefixes KEYS of defined commands too). */
export function createRedisSeats(redis: Redis): Seats {
  redis.defineCommand("candlecastTakeSeat", { numberOfKeys: 1, lua: TAKE });
  redis.defineCommand("candlecastRenewSeat", { numberOfKeys: 1, lua: RENEW });
  redis.defineCommand("candlecastCountSeats", { numberOfKeys: 1, lua: COUNT });
  const scripts = redis as unknown as SeatScripts;

  return {
    async take({ key, holder }, cap, ttlMs) {
      assertTtl(ttlMs);
      return (await scripts.candlecastTakeSeat(key, holder, ttlMs, cap)) === 1;
    },
    async renew(places, ttlMs) {
      assertTtl(ttlMs);
      await Promise.all(places.map(({ key, holder }) => scripts.candlecastRenewSeat(key, holder, ttlMs)));
    },
    async release({ key, holder }) {
      await redis.zrem(key, holder);
    },
    count: (key) => scripts.candlecastCountSeats(key),
  };
}
