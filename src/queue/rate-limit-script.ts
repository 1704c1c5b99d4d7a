/**
 * Sliding-window admission for model requests, atomic in Redis (one script call per
 * try). KEYS: [1] sorted set of admitted requests (score: ms, member: `<seq>:<tokens>`),
 * [2] running token total of the set, [3] sequence. ARGV: [1] window ms, [2] requests
 * allowed per window (0: no limit), [3] tokens allowed per window (0: no limit),
 * [4] tokens this request wants. The clock is Redis's own (TIME), so workers on machines
 * with skewed clocks still share one window. Returns minus the request's sequence
 * number (≤ -1) when admitted (and records the request as `<seq>:<tokens>`), else the
 * ms until it may be admitted.
 */
export const RATE_LIMIT_SCRIPT = `
local window = tonumber(ARGV[1])
local maxRequests = tonumber(ARGV[2])
local maxTokens = tonumber(ARGV[3])
local want = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local total = tonumber(redis.call('GET', KEYS[2]) or '0')
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - window)
for _, member in ipairs(expired) do
  total = total - tonumber(string.match(member, ':(%d+)$'))
end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window) end
if total < 0 then total = 0 end

-- A request larger than a whole window is let through once the window is empty, rather than never.
if maxTokens > 0 and want > maxTokens then want = maxTokens end

local wait = 0
local count = redis.call('ZCARD', KEYS[1])
if maxRequests > 0 and count + 1 > maxRequests then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, count - maxRequests, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[#oldest]) + window - now + 1)
end
if maxTokens > 0 and total + want > maxTokens then
  local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  local freed = 0
  for i = 1, #entries, 2 do
    freed = freed + tonumber(string.match(entries[i], ':(%d+)$'))
    if total - freed + want <= maxTokens then
      wait = math.max(wait, tonumber(entries[i + 1]) + window - now + 1)
      break
    end
  end
end

if wait > 0 then
  redis.call('SET', KEYS[2], total, 'PX', window * 2)
  return wait
end
local seq = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], now, seq .. ':' .. want)
redis.call('SET', KEYS[2], total + want, 'PX', window * 2)
redis.call('PEXPIRE', KEYS[1], window * 2)
redis.call('PEXPIRE', KEYS[3], window * 2)
return -seq
`;

/**
 * Correct an admitted request's tokens once its real usage is known. KEYS: [1] the
 * sorted set, [2] the running total. ARGV: [1] the member as admitted, [2] the member
 * with the real tokens, [3] real minus admitted tokens. A member that already left the
 * window is left alone. Returns 1 when corrected.
 */
export const RATE_SETTLE_SCRIPT = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], score, ARGV[2])
local total = tonumber(redis.call('GET', KEYS[2]) or '0') + tonumber(ARGV[3])
if total < 0 then total = 0 end
redis.call('SET', KEYS[2], total, 'KEEPTTL')
return 1
`;
