-- llm-throttle: every decision about one partition, atomically, on Redis server time (microseconds).
-- The same rules as PacedWindow: an exact trailing window per limit (period stretched by the 1% guard, stored in
-- at most 1024 buckets) plus GCRA pacing, a lease per call in flight, and a shared cooldown.
--
-- KEYS[1] state hash: t:<limit> pacing instant, n:<limit> window sum, b:<limit>:<bucket> bucket amount,
--                     d:<limit>:<bucket> units of the bucket the cap dropped (absent = 0),
--                     x:<limit> / xu:<limit> amount held back for others and until when
-- KEYS[2] leases zset: lease id -> expiry
-- KEYS[3] cooldown string: "<until µs> <reason>", with PX (the instant decides; the TTL only cleans up)
-- KEYS[3+i] window zset of limit i: bucket -> expiry (latest admission in the bucket + period)
-- ARGV[1] operation (admit, settle, renew, cooldown, report, relearn); ARGV[2] now (tests only; 0 = TIME); then
-- per operation.
--
-- Rules shared with the in-memory engine (the differential test compares them):
-- R1 every limit is checked for every call, also at cost 0: a call fits if the window has room for max(cost, 1)
--    and pacing allows it; only the real cost is taken.
-- R2 no input can fail the script or push state beyond a bounded horizon: every argument is clamped, a settlement
--    adds at most one limit amount beyond its estimate, a window sum keeps its newest 2 x amount units, a pacing instant at
--    now + 2 x period, so every TTL is at most 2 x the longest period + the margin; stored values are clamped
--    again when read (state written by an older version heals).

local MARGIN = 1000000
local MAX_EXACT = 9007199254740991 -- 2^53 - 1: the largest integer a Lua number holds exactly
local MAX_AMOUNT = 1000000000000000 -- 1e15 units
local MAX_SUM = 5 * MAX_AMOUNT -- any stored sum or bucket amount, whatever the amount in force (< 2^53)
local MAX_PERIOD = 3000000000000 -- about 35 days, in microseconds
local MAX_COOLDOWN_MS = 2 * MAX_PERIOD / 1000 -- two of the longest period allowed (the caller caps it first)
local MAX_LEASE_TTL = 86400000000 -- one day, in microseconds
local state, leases, cooldown = KEYS[1], KEYS[2], KEYS[3]
local op = ARGV[1]

local function int(x)
  return string.format('%.0f', x)
end

-- a number from untrusted text, clamped to [lo, hi] and truncated; garbage, NaN and nil give `default`
local function num(v, lo, hi, default)
  local x = tonumber(v)
  if x == nil or x ~= x then
    x = default
  end
  if x < lo then
    x = lo
  elseif x > hi then
    x = hi
  end
  if x >= 0 then
    return math.floor(x)
  end
  return math.ceil(x)
end

local now = num(ARGV[2], 0, MAX_EXACT, 0)
if now <= 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- ARGV[at] = number of limits, then `width` values per limit: id, amount, period (guarded), operation-specific...
local function limits(at, width)
  local list = {}
  local n = num(ARGV[at], 0, math.max(0, #KEYS - 3), 0)
  for i = 1, n do
    local base = at + 1 + (i - 1) * width
    list[i] = { id = tostring(ARGV[base]), amount = num(ARGV[base + 1], 1, MAX_AMOUNT, 1),
      period = num(ARGV[base + 2], 1, MAX_PERIOD, 1), key = KEYS[3 + i], base = base }
  end
  return list
end

local function granularity(l)
  return math.max(1, math.floor(l.period / 1024))
end

-- the window sum. Additions and relearn keep it within 2 x amount (as in PacedWindow); MAX_SUM only bounds what an
-- older version stored.
local function sum(l)
  return num(redis.call('HGET', state, 'n:' .. l.id), 0, MAX_SUM, 0)
end

local function set_sum(l, value)
  redis.call('HSET', state, 'n:' .. l.id, int(math.max(0, math.min(value, MAX_SUM))))
end

-- the pacing instant, at most now + 2 x period, or nil when never paced
local function get_tat(l)
  local tat = tonumber(redis.call('HGET', state, 't:' .. l.id))
  if tat == nil or tat ~= tat then
    return nil
  end
  return math.min(math.max(0, tat), now + 2 * l.period)
end

local function set_tat(l, tat)
  redis.call('HSET', state, 't:' .. l.id, int(math.max(0, math.min(tat, now + 2 * l.period))))
end

local function external(l)
  local x = redis.call('HMGET', state, 'x:' .. l.id, 'xu:' .. l.id)
  local amount = num(x[1], 0, l.amount, 0)
  local untilT = num(x[2], 0, now + l.period, 0)
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
    local dropped = {}
    for j = s, math.min(s + 499, #old) do
      fields[#fields + 1] = 'b:' .. l.id .. ':' .. old[j]
      dropped[#dropped + 1] = 'd:' .. l.id .. ':' .. old[j]
    end
    local amounts = redis.call('HMGET', state, unpack(fields))
    for j = 1, #amounts do
      freed = freed + num(amounts[j], 0, MAX_SUM, 0)
    end
    redis.call('HDEL', state, unpack(fields))
    redis.call('HDEL', state, unpack(dropped))
  end
  redis.call('ZREMRANGEBYSCORE', l.key, '-inf', int(now))
  if redis.call('ZCARD', l.key) == 0 then
    set_sum(l, 0) -- nothing left in the window: nothing in the sum (heals a sum an older version wrapped)
  elseif freed ~= 0 then
    set_sum(l, sum(l) - freed)
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
      local expiry = math.min(num(buckets[s + (k - 1) * 2 + 1], 0, MAX_EXACT, 0), now + l.period)
      if not counted and xu <= expiry then
        freed = freed + ext
        counted = true
        if freed >= excess then
          return xu - now
        end
      end
      freed = freed + num(amounts[k], 0, MAX_SUM, 0)
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

-- R1: a cost of 0 is checked as 1 (a window at or above its amount holds everyone back), and pacing is checked
-- whatever the cost. A cost above the amount can never fit: one period, the caller refuses it.
local function limit_wait(l, cost, burst)
  if cost > l.amount then
    return l.period
  end
  expire(l)
  local wait = 0
  local tat = get_tat(l)
  if tat then
    wait = math.max(0, tat - burst - now)
  end
  local ext, xu = external(l)
  local excess = sum(l) + ext + math.max(cost, 1) - l.amount
  if excess > 0 then
    wait = math.max(wait, freed_wait(l, excess, ext, xu))
  end
  return wait
end

-- R2: caps the window's sum at 2 x amount by keeping its newest units (older buckets are trimmed, kept at 0), as
-- PacedWindow does: a cost fits only once what remains after the oldest buckets leave is below the amount, so the
-- decisions stay those of an unbounded window. Each bucket
-- counts what it dropped (d:), so that a refund takes back the dropped units first (they were its call's, the oldest
-- of the bucket) and never a debt added to the bucket since.
-- recap: keeps the newest 2 x amount units of what was admitted and not refunded (kept and dropped alike), the rest
-- counted as dropped; run when the sum exceeds the cap, and by relearn when the amount changed (a raised amount sees
-- again what a lower one dropped)
local function recap(l)
  local keep = 2 * l.amount
  local total = 0
  local buckets = redis.call('ZREVRANGE', l.key, 0, -1)
  for s = 1, #buckets, 500 do
    local fields, droppedFields = {}, {}
    for j = s, math.min(s + 499, #buckets) do
      fields[#fields + 1] = 'b:' .. l.id .. ':' .. buckets[j]
      droppedFields[#droppedFields + 1] = 'd:' .. l.id .. ':' .. buckets[j]
    end
    local amounts = redis.call('HMGET', state, unpack(fields))
    local droppedAmounts = redis.call('HMGET', state, unpack(droppedFields))
    for k = 1, #amounts do
      local held = num(amounts[k], 0, MAX_SUM, 0)
      local dropped = num(droppedAmounts[k], 0, MAX_SUM, 0)
      local admitted = math.min(held + dropped, MAX_SUM)
      local kept = math.min(admitted, keep)
      if kept ~= held then
        redis.call('HSET', state, fields[k], int(kept))
      end
      if admitted - kept ~= dropped then
        if admitted == kept then
          redis.call('HDEL', state, droppedFields[k])
        else
          redis.call('HSET', state, droppedFields[k], int(admitted - kept))
        end
      end
      keep = keep - kept
      total = total + kept
    end
  end
  set_sum(l, total)
end

local function cap_sum(l)
  if sum(l) > 2 * l.amount then
    recap(l)
  end
end

-- adds `amount` to the bucket `bucket` (stamped now), then caps the sum
local function add_to_bucket(l, bucket, amount)
  if amount <= 0 then
    return
  end
  local member = int(bucket)
  local field = 'b:' .. l.id .. ':' .. member
  redis.call('HSET', state, field, int(num(redis.call('HGET', state, field), 0, MAX_SUM, 0) + amount))
  set_sum(l, sum(l) + amount)
  local expiry = now + l.period
  local old = tonumber(redis.call('ZSCORE', l.key, member))
  if not old or old < expiry then
    redis.call('ZADD', l.key, int(expiry), member)
  end
  cap_sum(l)
end

local function advance_tat(l, tat, amount)
  local from = now
  if tat then
    from = math.max(tat, now)
  end
  set_tat(l, from + math.ceil(amount * l.period / l.amount))
end

-- TTL of the state and window keys: the longest period or pacing horizon (at most 2 x period), plus the margin
local function refresh(list)
  local horizon = 0
  for _, l in ipairs(list) do
    horizon = math.max(horizon, l.period)
    local tat = get_tat(l)
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

-- the cooldown in force: until (µs) and reason, or 0 and ''
local function cooldown_in_force()
  local value = redis.call('GET', cooldown)
  if not value then
    return 0, ''
  end
  local untilT, reason = string.match(value, '^(%d+) (.*)$')
  untilT = tonumber(untilT)
  if not untilT then
    -- written by an older version: the reason alone, the TTL says until when
    local pttl = redis.call('PTTL', cooldown)
    if pttl <= 0 then
      return 0, ''
    end
    return now + pttl * 1000, value
  end
  untilT = math.min(untilT, now + MAX_COOLDOWN_MS * 1000)
  if untilT <= now then
    return 0, ''
  end
  return untilT, reason
end

-- admit: ARGV[3] deadline (0 = none), [4] lease id, [5] max concurrent (0 = none), [6] lease TTL,
-- [7] longest concurrency wait, [8] n, then per limit: id, amount, period, burst, cost.
-- Without a lease id and cap it is a charge that keeps to the rates (a retry under a permit already held).
-- Returns {1, now, bucket per limit (-1 = not charged)..., window sum per limit...},
-- {0, now, wait, blocked-by (cooldown | concurrency | limit id), cooldown reason} or {-1, now} past the deadline.
if op == 'admit' then
  local deadline = num(ARGV[3], 0, MAX_EXACT, 0)
  if deadline > 0 and now > deadline then
    return { -1, now }
  end
  local list = limits(8, 5)
  local wait, blocked, reason = 0, '', ''
  local cooling
  cooling, reason = cooldown_in_force()
  if cooling > now then
    wait, blocked = cooling - now, 'cooldown'
  end
  for _, l in ipairs(list) do
    local w = limit_wait(l, num(ARGV[l.base + 4], 0, MAX_AMOUNT, 0), num(ARGV[l.base + 3], 0, 2 * l.period, 0))
    if w > wait then
      wait, blocked = w, l.id
    end
  end
  if wait > 0 then
    if blocked ~= 'cooldown' then
      reason = ''
    end
    return { 0, now, math.ceil(wait), blocked, reason }
  end
  local max = num(ARGV[5], 0, 1000000000, 0)
  if max > 0 then
    redis.call('ZREMRANGEBYSCORE', leases, '-inf', int(now))
    if redis.call('ZCARD', leases) >= max then
      local first = redis.call('ZRANGE', leases, 0, 0, 'WITHSCORES')
      local w = math.min(tonumber(first[2]) - now, num(ARGV[7], 1, MAX_LEASE_TTL, 50000))
      return { 0, now, math.max(1, math.ceil(w)), 'concurrency', '' }
    end
    local ttl = num(ARGV[6], 1, MAX_LEASE_TTL, 30000000)
    redis.call('ZADD', leases, int(now + ttl), ARGV[4])
    redis.call('PEXPIRE', leases, math.ceil((ttl + MARGIN) / 1000))
  end
  local reply = { 1, now }
  for i, l in ipairs(list) do
    local cost = num(ARGV[l.base + 4], 0, MAX_AMOUNT, 0)
    if cost > 0 then
      local bucket = math.floor(now / granularity(l))
      advance_tat(l, get_tat(l), cost)
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
-- A refund frees window room in the admission's bucket (if still in the window; what the cap dropped from the
-- bucket first, never a debt added since) and moves pacing back, never before now; a debt (at most one amount beyond the estimate) is added to that bucket, or to now's if it left.
-- Returns {released, now}: 1 = lease released, 0 = the lease was unknown or had expired (nothing counted),
-- -1 = no lease.
if op == 'settle' then
  local released = -1
  local id = ARGV[3] or ''
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
    local bucket = num(ARGV[l.base + 3], -1, MAX_EXACT, -1)
    local admitted = num(ARGV[l.base + 4], 0, MAX_AMOUNT, 0)
    local actual = num(ARGV[l.base + 5], 0, admitted + l.amount, admitted)
    local delta = actual - admitted
    if delta ~= 0 then
      wrote = true
      expire(l)
      local member = int(bucket)
      local live = bucket >= 0 and redis.call('ZSCORE', l.key, member)
      local tat = get_tat(l)
      if delta < 0 then
        if live then
          local field = 'b:' .. l.id .. ':' .. member
          local droppedField = 'd:' .. l.id .. ':' .. member
          local held = num(redis.call('HGET', state, field), 0, MAX_SUM, 0)
          local dropped = num(redis.call('HGET', state, droppedField), 0, MAX_SUM, 0)
          local fromDropped = math.min(-delta, dropped)
          if fromDropped > 0 then
            if fromDropped == dropped then
              redis.call('HDEL', state, droppedField)
            else
              redis.call('HSET', state, droppedField, int(dropped - fromDropped))
            end
          end
          local refund = math.min(-delta - fromDropped, held)
          if refund > 0 then
            redis.call('HSET', state, field, int(held - refund))
            set_sum(l, sum(l) - refund)
          end
        end
        if tat then
          set_tat(l, math.max(now, tat - math.floor(-delta * l.period / l.amount)))
        end
      else
        if live then
          local field = 'b:' .. l.id .. ':' .. member
          redis.call('HSET', state, field, int(num(redis.call('HGET', state, field), 0, MAX_SUM, 0) + delta))
          set_sum(l, sum(l) + delta)
          cap_sum(l)
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

-- renew: ARGV[3] lease TTL, [4...] lease ids. Extends live leases; returns {renewed, lost, now, lost ids...}.
if op == 'renew' then
  local ttl = num(ARGV[3], 1, MAX_LEASE_TTL, 30000000)
  local renewed, lost = 0, {}
  for i = 4, #ARGV do
    local expiry = tonumber(redis.call('ZSCORE', leases, ARGV[i]))
    if expiry and expiry > now then
      redis.call('ZADD', leases, 'XX', int(now + ttl), ARGV[i])
      renewed = renewed + 1
    else
      if expiry then
        redis.call('ZREM', leases, ARGV[i])
      end
      lost[#lost + 1] = ARGV[i]
    end
  end
  if renewed > 0 then
    redis.call('PEXPIRE', leases, math.ceil((ttl + MARGIN) / 1000))
  end
  local reply = { renewed, #lost, now }
  for i = 1, #lost do
    reply[3 + i] = lost[i]
  end
  return reply
end

-- cooldown: ARGV[3] milliseconds (the caller's cap: a day or two periods), [4] reason. A longer cooldown in force is kept.
-- Returns {changed, now}.
if op == 'cooldown' then
  local ms = num(ARGV[3], 0, MAX_COOLDOWN_MS, 0)
  if ms <= 0 then
    return { 0, now }
  end
  local untilT = now + ms * 1000
  if cooldown_in_force() >= untilT then
    return { 0, now }
  end
  redis.call('SET', cooldown, int(untilT) .. ' ' .. tostring(ARGV[4] or ''), 'PX', int(ms + MARGIN / 1000))
  return { 1, now }
end

-- report: ARGV[3] n, then per limit: id, amount, period, remaining (-1 = not reported), reset (microseconds).
-- When the provider reports fewer remaining than the window believes (by more than 2% of the limit), the
-- difference is held back until the reset (at most one period). Returns {changed, now}.
if op == 'report' then
  local list = limits(3, 5)
  local wrote = false
  for _, l in ipairs(list) do
    local remaining = num(ARGV[l.base + 3], -1, l.amount, -1)
    local reset = num(ARGV[l.base + 4], 0, l.period, 0)
    if remaining >= 0 and reset > 0 then
      expire(l)
      local ext, xu = external(l)
      local believed = l.amount - sum(l) - ext
      if believed - remaining > math.floor(l.amount / 50) then
        local untilT = now + reset
        if ext > 0 then
          untilT = math.max(untilT, xu)
        end
        redis.call('HSET', state, 'x:' .. l.id, int(math.min(l.amount, ext + believed - remaining)),
          'xu:' .. l.id, int(untilT))
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

-- relearn: ARGV[3] n, then per limit: id, amount (new), period, old amount, rescale (1 = a learned limit).
-- A changed amount drops the held-back amount (measured against the old one) and recaps the window at twice the new
-- amount (what a lower one dropped is seen again); with rescale the pacing still owed is rescaled to the new rate, as
-- PacedWindow.relearn does. Returns {changed, now}.
if op == 'relearn' then
  local list = limits(3, 5)
  local wrote = false
  for _, l in ipairs(list) do
    local old = num(ARGV[l.base + 3], 1, MAX_AMOUNT, l.amount)
    if old ~= l.amount then
      redis.call('HDEL', state, 'x:' .. l.id, 'xu:' .. l.id)
      expire(l)
      recap(l)
      local tat = get_tat(l)
      if ARGV[l.base + 4] == '1' and tat and tat > now then
        set_tat(l, now + math.ceil((tat - now) * old / l.amount))
      end
      wrote = true
    end
  end
  if wrote then
    refresh(list)
    return { 1, now }
  end
  return { 0, now }
end

return redis.error_reply('llm-throttle: unknown operation ' .. tostring(op))
