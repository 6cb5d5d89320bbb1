"""The shared pacing budget on Redis: one Lua script per post, atomic across workers.

Each window is a sorted set of the posts in it, scored by Redis's own clock (so workers'
clocks never disagree); a 429 is a key that expires with its retry_after. Every key of
one bot carries the same hash tag, so a script's keys share a slot on a cluster too.
"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.delivery.shared_pacing import BudgetUnavailable, Limit

_MICRO = 1_000_000

# KEYS: the chat's hold, the chat's window, the bot's window, the sequence of posts.
# ARGV: posts, the chat's limit and span (us), the bot's limit and span (us).
# Returns {0, posts in the chat's window} when taken, {us to wait, posts} when not.
_TAKE = """
local count = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local held = redis.call('PTTL', KEYS[1])
if held > 0 then return {held * 1000, 0} end
local function wait(key, limit, span, n)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
  local used = redis.call('ZCARD', key)
  local over = used + n - limit
  if over <= 0 then return 0, used end
  local index = over - 1
  if n > limit then  -- an album bigger than the window: wait for an empty one
    if used == 0 then return 0, used end
    index = -1
  end
  local at = redis.call('ZRANGE', key, index, index, 'WITHSCORES')
  return tonumber(at[2]) + span - now, used
end
local chat_span, all_limit, all_span = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local chat_wait, used = wait(KEYS[2], tonumber(ARGV[2]), chat_span, count)
local all_wait = wait(KEYS[3], all_limit, all_span, math.min(count, all_limit))
local longest = math.max(chat_wait, all_wait)
if longest > 0 then return {math.ceil(longest), used} end
local last = redis.call('INCRBY', KEYS[4], count)
for i = last - count + 1, last do
  redis.call('ZADD', KEYS[2], now, i)
  redis.call('ZADD', KEYS[3], now, i)
end
redis.call('PEXPIRE', KEYS[2], math.ceil(chat_span / 1000))
redis.call('PEXPIRE', KEYS[3], math.ceil(all_span / 1000))
return {0, used + count}
"""

# A hold is only ever lengthened: a shorter retry_after seen later does not cut it.
_HOLD = """
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], 1, 'PX', ms) end
"""


class RedisBudget:
    """The windows and holds of one bot (``prefix`` names it) in Redis."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._tag = f"{{{prefix}}}"
        self._take = redis.register_script(_TAKE)
        self._hold = redis.register_script(_HOLD)

    async def take(
        self, chat_id: int, count: int, chat: Limit, overall: Limit
    ) -> tuple[float, int]:
        keys = [self._key("hold", chat_id), self._key("chat", chat_id), f"{self._tag}:all"]
        keys.append(f"{self._tag}:seq")
        args = [count, chat[0], _micro(chat[1]), overall[0], _micro(overall[1])]
        try:
            wait, used = await self._take(keys, args)
        except (RedisError, OSError) as error:
            raise BudgetUnavailable(f"{type(error).__name__}: {error}") from error
        return int(wait) / _MICRO, int(used)

    async def hold(self, chat_id: int, seconds: float) -> None:
        ms = max(1, round(seconds * 1000))
        try:
            await self._hold([self._key("hold", chat_id)], [ms])
        except (RedisError, OSError) as error:
            raise BudgetUnavailable(f"{type(error).__name__}: {error}") from error

    def _key(self, kind: str, chat_id: int) -> str:
        return f"{self._tag}:{kind}:{chat_id}"


def _micro(seconds: float) -> int:
    return max(1, round(seconds * _MICRO))
