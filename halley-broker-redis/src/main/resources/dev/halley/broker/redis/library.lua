#!lua name=halley_{{NAME}}
-- Halley's sequencer per channel, loaded by every node (FUNCTION LOAD REPLACE) for the prefix
-- "{{NAME}}". One call = one atomic step of Redis: assign the next offset, append to history
-- (bounded by count and age), publish to the channel's pub/sub subscribers.
--
-- Keys of channel C (hash tag {C}: a channel's keys share one Cluster slot):
--   {{NAME}}:{C}:m  hash  e = epoch, o = newest offset, t = newest time, r = run_id of the Redis that wrote it
--   {{NAME}}:{C}:h  list  entries "<epoch>:<offset>:<time>:<data>", oldest first
-- Live messages go to the pub/sub channel "{{NAME}}:C" as the same entry.
--
-- Back ends may publish here directly, e.g.
--   FCALL {{NAME}}_publish 2 {{NAME}}:{news}:m {{NAME}}:{news}:h '{"text":"hi"}'
-- which returns {epoch, offset, time}.

local PREFIX = '{{NAME}}:'
local MAX_MESSAGES = {{MAX_MESSAGES}}
local MAX_AGE = {{MAX_AGE_MS}}
local IDLE = {{IDLE_MS}}
local MAX_DATA = {{MAX_DATA}}

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function run_id()
  return string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
end

-- The channel named by the two keys, checked against the naming rules.
local function channel_of(keys)
  local meta, hist = keys[1], keys[2]
  if #keys ~= 2 or string.sub(meta or '', 1, #PREFIX + 1) ~= PREFIX .. '{' then
    return redis.error_reply('ERR keys must be ' .. PREFIX .. '{channel}:m and ' .. PREFIX .. '{channel}:h')
  end
  local channel = string.sub(meta, #PREFIX + 2, -4)
  if string.sub(meta, -3) ~= '}:m' or hist ~= PREFIX .. '{' .. channel .. '}:h'
      or #channel < 1 or #channel > 255 or not string.find(channel, '^[%w_%-%.:@/]+$') then
    return redis.error_reply('ERR bad channel: keys must be ' .. PREFIX .. '{channel}:m and ' .. PREFIX
        .. '{channel}:h, channel of 1-255 letters, digits and _ - . : @ /')
  end
  return channel
end

-- Epoch, newest offset and newest time. A channel gets a new epoch (and loses its history) when
-- it is new, or when this Redis is not the one that last wrote it: it restarted or failed over,
-- so its copy may be behind what clients saw, and offsets could repeat.
local function state(meta, hist)
  local m = redis.call('HMGET', meta, 'e', 'o', 't', 'r')
  local rid = run_id()
  if m[1] and m[4] == rid then
    return m[1], tonumber(m[2]), tonumber(m[3])
  end
  local t = redis.call('TIME')
  local epoch = string.sub(redis.sha1hex(rid .. meta .. t[1] .. ':' .. t[2]), 1, 12)
  redis.call('DEL', hist)
  redis.call('HSET', meta, 'e', epoch, 'o', 0, 't', 0, 'r', rid)
  redis.call('PEXPIRE', meta, IDLE)
  return epoch, 0, 0
end

-- Drops history entries older than MAX_AGE.
local function trim_age(hist, now)
  local oldest = now - MAX_AGE
  while true do
    local head = redis.call('LINDEX', hist, 0)
    if not head then
      return
    end
    local t = tonumber(string.match(head, '^[^:]*:[^:]*:(%d+):'))
    if t >= oldest then
      return
    end
    redis.call('LPOP', hist)
  end
end

local function publish(keys, args)
  local channel = channel_of(keys)
  if type(channel) == 'table' then
    return channel
  end
  local data = args[1]
  if string.sub(channel, 1, 6) == '/meta/' then
    return redis.error_reply('ERR the /meta/ namespace is reserved')
  end
  if not data or #data > MAX_DATA or not pcall(cjson.decode, data) then
    return redis.error_reply('ERR data must be one JSON value of at most ' .. MAX_DATA .. ' bytes')
  end
  local meta, hist = keys[1], keys[2]
  local epoch, offset, last = state(meta, hist)
  local now = math.max(now_ms(), last)
  offset = offset + 1
  redis.call('HSET', meta, 'o', offset, 't', now)
  redis.call('PEXPIRE', meta, IDLE)
  local entry = epoch .. ':' .. offset .. ':' .. now .. ':' .. data
  if MAX_MESSAGES > 0 and MAX_AGE > 0 then
    redis.call('RPUSH', hist, entry)
    redis.call('LTRIM', hist, -MAX_MESSAGES, -1)
    trim_age(hist, now)
    redis.call('PEXPIRE', hist, MAX_AGE)
  end
  redis.call('PUBLISH', PREFIX .. channel, entry)
  return {epoch, offset, now}
end

-- {epoch, newest offset, oldest held offset, entries after ARGV[1] (at most ARGV[2] newest)...}
local function history(keys, args)
  local channel = channel_of(keys)
  if type(channel) == 'table' then
    return channel
  end
  local meta, hist = keys[1], keys[2]
  local after, limit = tonumber(args[1]), tonumber(args[2])
  local epoch, top = state(meta, hist)
  trim_age(hist, now_ms())
  local len = redis.call('LLEN', hist)
  local first = top - len + 1
  local out = {epoch, top, first}
  if limit > 0 and len > 0 then
    local start = math.max(after - first + 1, 0, len - limit)
    if start < len then
      local entries = redis.call('LRANGE', hist, start, -1)
      for i = 1, #entries do
        out[#out + 1] = entries[i]
      end
    end
  end
  return out
end

redis.register_function('{{NAME}}_publish', publish)
redis.register_function('{{NAME}}_history', history)
