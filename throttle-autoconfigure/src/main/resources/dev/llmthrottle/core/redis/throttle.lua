-- llm-throttle: every decision about one partition, atomically, on Redis server time (microseconds).
-- The same rules as PacedWindow: an exact trailing window per limit (period stretched by the 1% guard, stored in
-- at most 1024 buckets) plus GCRA pacing, a lease per call in flight, and a shared cooldown.
--
-- KEYS[1] state hash: t:<limit> pacing instant, n:<limit> window sum, b:<limit>:<bucket> bucket amount,
--                     x:<limit> / xu:<limit> amount held back for others and until when
-- KEYS[2] leases zset: lease id -> expiry
-- KEYS[3] cooldown string: reason, with PX
-- KEYS[3+i] window zset of limit i: bucket -> expiry (latest admission in the bucket + period)
-- ARGV[1] operation (admit, settle, renew, cooldown, report); ARGV[2] now (tests only; 0 = TIME); then per operation.
-- Every key written gets a TTL: the longest period (or pacing horizon) plus one second; leases their lease TTL.

local MARGIN = 1000000
local state, leases, cooldown = KEYS[1], KEYS[2], KEYS[3]
local op = ARGV[1]

local function int(x)
  return string.format('%.0f', x)
end

local now = tonumber(ARGV[2])
if not now or now <= 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- ARGV[at] = number of limits, then `width` values per limit: id, amount, period (guarded), operation-specific...
local function limits(at, width)
  local list = {}
  for i = 1, tonumber(ARGV[at]) do
    local base = at + 1 + (i - 1) * width
    list[i] = { id = ARGV[base], amount = tonumber(ARGV[base + 1]), period = tonumber(ARGV[base + 2]),
      key = KEYS[3 + i], base = base }
  end
  return list
end

local function granularity(l)
  return math.max(1, math.floor(l.period / 1024))
end

local function sum(l)
  return math.max(0, tonumber(redis.call('HGET', state, 'n:' .. l.id)) or 0)
end

local function external(l)
  local x = redis.call('HMGET', state, 'x:' .. l.id, 'xu:' .. l.id)
  local amount, untilT = tonumber(x[1]) or 0, tonumber(x[2]) or 0
  if now < untilT then
    return amount, untilT
  end
  return 0, untilT
end

-- drops buckets that left the window (expiry <= now) and their amounts from the sum
local function expire(l)
  local old = redis.call('ZRANGEBYSCORE', l.key, '-inf', int(now))
  if #old == 0 then
    return
  end
  local freed = 0
  for s = 1, #old, 500 do
    local fields = {}
    for j = s, math.min(s + 499, #old) do
      fields[#fields + 1] = 'b:' .. l.id .. ':' .. old[j]
    end
    local amounts = redis.call('HMGET', state, unpack(fields))
    for j = 1, #amounts do
      freed = freed + (tonumber(amounts[j]) or 0)
    end
    redis.call('HDEL', state, unpack(fields))
  end
  redis.call('ZREMRANGEBYSCORE', l.key, '-inf', int(now))
  if freed ~= 0 then
    redis.call('HINCRBY', state, 'n:' .. l.id, -freed)
  end
end

-- how long until `excess` units leave the window (buckets in expiry order, the external hold at its instant)
local function freed_wait(l, excess, ext, xu)
  local buckets = redis.call('ZRANGE', l.key, 0, -1, 'WITHSCORES')
  local freed = 0
  local counted = (ext == 0)
  for s = 1, #buckets, 1000 do
    local fields = {}
    for j = s, math.min(s + 999, #buckets), 2 do
      fields[#fields + 1] = 'b:' .. l.id .. ':' .. buckets[j]
    end
    local amounts = redis.call('HMGET', state, unpack(fields))
    for k = 1, #amounts do
      local expiry = tonumber(buckets[s + (k - 1) * 2 + 1])
      if not counted and xu <= expiry then
        freed = freed + ext
        counted = true
        if freed >= excess then
          return xu - now
        end
      end
      freed = freed + (tonumber(amounts[k]) or 0)
      if freed >= excess then
        return expiry - now
      end
    end
  end
  if not counted then
    return math.max(0, xu - now)
  end
  return 0
end

local function limit_wait(l, cost, burst)
  if cost <= 0 then
    return 0
  end
  expire(l)
  local wait = 0
  local tat = tonumber(redis.call('HGET', state, 't:' .. l.id))
  if tat then
    wait = math.max(0, tat - burst - now)
  end
  local ext, xu = external(l)
  local excess = sum(l) + ext + cost - l.amount
  if excess > 0 then
    wait = math.max(wait, freed_wait(l, excess, ext, xu))
  end
  return wait
end

local function add_to_bucket(l, bucket, amount)
  local member = int(bucket)
  redis.call('HINCRBY', state, 'b:' .. l.id .. ':' .. member, amount)
  redis.call('HINCRBY', state, 'n:' .. l.id, amount)
  local expiry = now + l.period
  local old = tonumber(redis.call('ZSCORE', l.key, member))
  if not old or old < expiry then
    redis.call('ZADD', l.key, int(expiry), member)
  end
end

local function advance_tat(l, tat, amount)
  local from = now
  if tat then
    from = math.max(tat, now)
  end
  redis.call('HSET', state, 't:' .. l.id, int(from + math.ceil(amount * l.period / l.amount)))
end

-- TTL of the state and window keys: the longest period or pacing horizon, plus the margin
local function refresh(list)
  local horizon = 0
  for _, l in ipairs(list) do
    horizon = math.max(horizon, l.period)
    local tat = tonumber(redis.call('HGET', state, 't:' .. l.id))
    if tat then
      horizon = math.max(horizon, tat - now)
    end
  end
  local ms = math.ceil((horizon + MARGIN) / 1000)
  redis.call('PEXPIRE', state, ms)
  for _, l in ipairs(list) do
    redis.call('PEXPIRE', l.key, ms)
  end
end

-- admit: ARGV[3] deadline (0 = none), [4] lease id, [5] max concurrent (0 = none), [6] lease TTL,
-- [7] longest concurrency wait, [8] n, then per limit: id, amount, period, burst, cost.
-- Returns {1, now, bucket per limit (-1 = not charged)..., window sum per limit...},
-- {0, now, wait, blocked-by (cooldown | concurrency | limit id), cooldown reason} or {-1, now} past the deadline.
if op == 'admit' then
  local deadline = tonumber(ARGV[3])
  if deadline > 0 and now > deadline then
    return { -1, now }
  end
  local list = limits(8, 5)
  local wait, blocked = 0, ''
  local pttl = redis.call('PTTL', cooldown)
  if pttl > 0 then
    wait, blocked = pttl * 1000, 'cooldown'
  end
  for _, l in ipairs(list) do
    local w = limit_wait(l, tonumber(ARGV[l.base + 4]), tonumber(ARGV[l.base + 3]))
    if w > wait then
      wait, blocked = w, l.id
    end
  end
  if wait > 0 then
    local reason = ''
    if blocked == 'cooldown' then
      reason = redis.call('GET', cooldown) or ''
    end
    return { 0, now, math.ceil(wait), blocked, reason }
  end
  local max = tonumber(ARGV[5])
  if max > 0 then
    redis.call('ZREMRANGEBYSCORE', leases, '-inf', int(now))
    if redis.call('ZCARD', leases) >= max then
      local first = redis.call('ZRANGE', leases, 0, 0, 'WITHSCORES')
      local w = math.min(tonumber(first[2]) - now, tonumber(ARGV[7]))
      return { 0, now, math.max(1, math.ceil(w)), 'concurrency', '' }
    end
    local ttl = tonumber(ARGV[6])
    redis.call('ZADD', leases, int(now + ttl), ARGV[4])
    redis.call('PEXPIRE', leases, math.ceil((ttl + MARGIN) / 1000))
  end
  local reply = { 1, now }
  for i, l in ipairs(list) do
    local cost = tonumber(ARGV[l.base + 4])
    if cost > 0 then
      local bucket = math.floor(now / granularity(l))
      advance_tat(l, tonumber(redis.call('HGET', state, 't:' .. l.id)), cost)
      add_to_bucket(l, bucket, cost)
      reply[2 + i] = bucket
    else
      reply[2 + i] = -1
    end
  end
  refresh(list)
  for i, l in ipairs(list) do
    reply[2 + #list + i] = sum(l)
  end
  return reply
end

-- settle: ARGV[3] lease id ('' = none), [4] n, then per limit: id, amount, period, bucket, admitted, actual.
-- A refund frees window room in the admission's bucket (if still in the window) and moves pacing back, never
-- before now; a debt is added to that bucket, or to now's if it left. Returns {released, now}: 1 = lease released,
-- 0 = the lease was unknown or had expired (nothing counted), -1 = no lease.
if op == 'settle' then
  local released = -1
  local id = ARGV[3]
  if id ~= '' then
    local expiry = tonumber(redis.call('ZSCORE', leases, id))
    if expiry and expiry > now then
      released = 1
    else
      released = 0
    end
    redis.call('ZREM', leases, id)
  end
  local list = limits(4, 6)
  local wrote = false
  for _, l in ipairs(list) do
    local bucket = tonumber(ARGV[l.base + 3])
    local delta = tonumber(ARGV[l.base + 5]) - tonumber(ARGV[l.base + 4])
    if delta ~= 0 then
      wrote = true
      expire(l)
      local member = int(bucket)
      local live = bucket >= 0 and redis.call('ZSCORE', l.key, member)
      local tat = tonumber(redis.call('HGET', state, 't:' .. l.id))
      if delta < 0 then
        if live then
          local field = 'b:' .. l.id .. ':' .. member
          local refund = math.min(-delta, tonumber(redis.call('HGET', state, field)) or 0)
          if refund > 0 then
            redis.call('HINCRBY', state, field, -refund)
            redis.call('HINCRBY', state, 'n:' .. l.id, -refund)
          end
        end
        if tat then
          redis.call('HSET', state, 't:' .. l.id, int(math.max(now, tat - math.floor(-delta * l.period / l.amount))))
        end
      else
        if live then
          redis.call('HINCRBY', state, 'b:' .. l.id .. ':' .. member, delta)
          redis.call('HINCRBY', state, 'n:' .. l.id, delta)
        else
          add_to_bucket(l, math.floor(now / granularity(l)), delta)
        end
        advance_tat(l, tat, delta)
      end
    end
  end
  if wrote then
    refresh(list)
  end
  return { released, now }
end

-- renew: ARGV[3] lease TTL, [4...] lease ids. Extends live leases; returns {renewed, lost, now}.
if op == 'renew' then
  local ttl = tonumber(ARGV[3])
  local renewed, lost = 0, 0
  for i = 4, #ARGV do
    local expiry = tonumber(redis.call('ZSCORE', leases, ARGV[i]))
    if expiry and expiry > now then
      redis.call('ZADD', leases, 'XX', int(now + ttl), ARGV[i])
      renewed = renewed + 1
    else
      if expiry then
        redis.call('ZREM', leases, ARGV[i])
      end
      lost = lost + 1
    end
  end
  if renewed > 0 then
    redis.call('PEXPIRE', leases, math.ceil((ttl + MARGIN) / 1000))
  end
  return { renewed, lost, now }
end

-- cooldown: ARGV[3] milliseconds, [4] reason. A longer cooldown in force is kept. Returns {changed, now}.
if op == 'cooldown' then
  local ms = tonumber(ARGV[3])
  if ms <= 0 or redis.call('PTTL', cooldown) >= ms then
    return { 0, now }
  end
  redis.call('SET', cooldown, ARGV[4], 'PX', int(ms))
  return { 1, now }
end

-- report: ARGV[3] n, then per limit: id, amount, period, remaining (-1 = not reported), reset (microseconds).
-- When the provider reports fewer remaining than the window believes (by more than 2% of the limit), the
-- difference is held back until the reset (at most one period). Returns {changed, now}.
if op == 'report' then
  local list = limits(3, 5)
  local wrote = false
  for _, l in ipairs(list) do
    local remaining, reset = tonumber(ARGV[l.base + 3]), tonumber(ARGV[l.base + 4])
    if remaining >= 0 and reset > 0 then
      expire(l)
      local ext, xu = external(l)
      local believed = l.amount - sum(l) - ext
      if believed - remaining > math.floor(l.amount / 50) then
        local untilT = now + math.min(reset, l.period)
        if ext > 0 then
          untilT = math.max(untilT, xu)
        end
        redis.call('HSET', state, 'x:' .. l.id, int(ext + believed - remaining), 'xu:' .. l.id, int(untilT))
        wrote = true
      end
    end
  end
  if wrote then
    refresh(list)
    return { 1, now }
  end
  return { 0, now }
end

return redis.error_reply('llm-throttle: unknown operation ' .. tostring(op))
