"""The scaled-mode counter store: per-meeting Redis hashes, kept by one atomic script per intake event.

Keys of meeting M: intake:M:built (present once built from SQL), :seq, :seen (event keys already counted,
so a retried report never counts twice), :scopes, :minutes (joins per minute), :recent (ticker), and per
scope `intake:M:<scope>:<id>` (a hash of metrics) with `...:visitors` (a set of visitor keys);
:rebuild_lock lets one process at a time rebuild.

A rebuild first deletes `built`, so no event is counted while it reads SQL and replaces the counters: the
script refuses such an event, and its reporter waits for the rebuild and reports it again (the `seen` set
skips it if the rebuild already counted it). Events never abort a rebuild, so one converges under load.
"""

import json
import logging
import time

import redis

from app import metrics
from app.services.live.intake_sql import MeetingCounts, count_meeting, walk_meeting
from app.services.live.live import channel_prefix

log = logging.getLogger(__name__)

NOT_BUILT = -1
RECENT_KEEP = 12
SEEN_CHUNK = 1000
# A rebuild of a big meeting reads a few thousand rows: well under the lock's life. Events wait that long at most.
REBUILD_LOCK_SECONDS = 30
REBUILD_WAIT_SECONDS = 10
DRIFT_RECHECK_SECONDS = 1

# One round trip per event: skip a repeat, increment every scope, count a new visitor, publish the
# absolute values. Atomic, so the published order is the increment order.
APPLY_EVENT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SADD', KEYS[2], ARGV[2]) == 0 then return 0 end
local scopes = cjson.decode(ARGV[6])
local increments = cjson.decode(ARGV[7])
local changes = {}
for i, scope in ipairs(scopes) do
  local hash = KEYS[5 + 2 * i]
  local values = {}
  for metric, amount in pairs(increments) do
    values[metric] = redis.call('HINCRBY', hash, metric, amount)
  end
  if ARGV[3] ~= '' and redis.call('SADD', KEYS[6 + 2 * i], ARGV[3]) == 1 then
    values['visitors'] = redis.call('HINCRBY', hash, 'visitors', 1)
  end
  redis.call('SADD', KEYS[5], scope[1] .. ':' .. scope[2])
  changes[i] = {scope = scope[1], id = scope[2], values = values}
end
local message = {seq = redis.call('INCR', KEYS[3]), changes = changes}
if ARGV[4] ~= '' then
  message['minutes'] = {[ARGV[4]] = redis.call('HINCRBY', KEYS[4], ARGV[4], increments['joins'])}
end
if ARGV[5] ~= '' then
  message['joined'] = {cjson.decode(ARGV[5])}
  redis.call('LPUSH', KEYS[6], ARGV[5])
  redis.call('LTRIM', KEYS[6], 0, tonumber(ARGV[8]) - 1)
end
redis.call('PUBLISH', ARGV[1], cjson.encode(message))
return message['seq']
"""

# Meetings whose counters missed an event while Redis was unreachable: rebuilt at the next contact.
_dirty_meetings: set[int] = set()


def key(meeting_id: int, *parts) -> str:
    return ":".join(["intake", str(meeting_id), *map(str, parts)])


class RedisCounters:
    def __init__(self, client: redis.Redis):
        self.client = client
        self.apply_event = client.register_script(APPLY_EVENT)

    def apply(self, event) -> None:
        """Count one committed event once; rebuild from SQL instead when the counters are not trustworthy."""
        meeting_id = event.meeting_id
        try:
            if meeting_id in _dirty_meetings:
                self.rebuild(meeting_id)
            elif self._run_script(event) == NOT_BUILT:
                # Not built yet, or being rebuilt: once built, count it (again: `seen` skips a double).
                self.build_if_missing(meeting_id)
                self._run_script(event)
        except redis.RedisError:
            _dirty_meetings.add(meeting_id)
            raise

    def _run_script(self, event) -> int:
        m = event.meeting_id
        keys = [key(m, "built"), key(m, "seen"), key(m, "seq"), key(m, "minutes"), key(m, "scopes"), key(m, "recent")]
        for scope, scope_id in event.scopes:
            keys += [key(m, scope, scope_id), key(m, scope, scope_id, "visitors")]
        args = [
            channel_prefix(self.client) + str(m), event.key, event.visitor_key or "", event.minute or "",
            json.dumps(event.joined, ensure_ascii=False) if event.joined else "",
            json.dumps(event.scopes), json.dumps(event.increments), RECENT_KEEP,
        ]
        return self.apply_event(keys=keys, args=args)

    def read(self, meeting_id: int) -> MeetingCounts:
        """All counters of a meeting from Redis, rebuilt from SQL first when missing or stale."""
        if meeting_id in _dirty_meetings:
            self.rebuild(meeting_id)
        elif not self.client.exists(key(meeting_id, "built")):
            self.build_if_missing(meeting_id)
        scopes = sorted(member.decode() for member in self.client.smembers(key(meeting_id, "scopes")))
        pipe = self.client.pipeline(transaction=True)
        for scope in scopes:
            pipe.hgetall(key(meeting_id, scope))
        pipe.get(key(meeting_id, "seq")).hgetall(key(meeting_id, "minutes")).lrange(key(meeting_id, "recent"), 0, -1)
        *hashes, seq, minutes, recent = pipe.execute()
        counts = MeetingCounts(meeting_id, seq=int(seq or 0), recent=[json.loads(line) for line in recent])
        for scope, values in zip(scopes, hashes, strict=True):
            name, scope_id = scope.split(":")
            counts.values[(name, int(scope_id))].update({k.decode(): int(v) for k, v in values.items()})
        counts.joins_by_minute.update({k.decode(): int(v) for k, v in minutes.items()})
        return counts

    def rebuild(self, meeting_id: int) -> None:
        """Replace a meeting's counters by a fresh count of its SQL rows, and push the result to screens."""
        with self._rebuild_lock(meeting_id):
            self._replace(meeting_id)

    def build_if_missing(self, meeting_id: int) -> None:
        """Build a meeting's counters unless another process built them while this one waited for the lock."""
        with self._rebuild_lock(meeting_id):
            if not self.client.exists(key(meeting_id, "built")):
                self._replace(meeting_id)

    def _rebuild_lock(self, meeting_id: int):
        return self.client.lock(
            key(meeting_id, "rebuild_lock"), timeout=REBUILD_LOCK_SECONDS, blocking_timeout=REBUILD_WAIT_SECONDS
        )

    def _replace(self, meeting_id: int) -> None:
        built = key(meeting_id, "built")
        with self.client.pipeline(transaction=True) as pipe:
            # Events cannot count without `built`; WATCH it (after deleting it: a client's own write would
            # abort its EXEC) against a rival rebuild whose lock ran out.
            for _attempt in range(3):
                try:
                    self.client.delete(built)
                    pipe.watch(built)
                    old_scopes = [m.decode() for m in pipe.smembers(key(meeting_id, "scopes"))]
                    counts = walk_meeting(meeting_id)
                    pipe.multi()
                    self._write(pipe, counts, old_scopes)
                    pipe.execute()
                    break
                except redis.WatchError:
                    continue
            else:
                log.warning("intake counters of meeting %s: rival rebuilds; retried later", meeting_id)
                _dirty_meetings.add(meeting_id)
                return
        _dirty_meetings.discard(meeting_id)
        metrics.COUNTER_REBUILDS.inc()
        log.info("intake counters of meeting %s rebuilt from SQL", meeting_id)

    def _write(self, pipe, counts: MeetingCounts, old_scopes: list[str]) -> None:
        m = counts.meeting_id
        stale = [key(m, s) for s in old_scopes] + [key(m, s, "visitors") for s in old_scopes]
        pipe.delete(*stale, key(m, "seen"), key(m, "scopes"), key(m, "minutes"), key(m, "recent"))
        changes = []
        for (scope, scope_id), _values in counts.values.items():
            values = counts.values_of(scope, scope_id)
            pipe.hset(key(m, scope, scope_id), mapping=values)
            pipe.sadd(key(m, "scopes"), f"{scope}:{scope_id}")
            changes.append({"scope": scope, "id": scope_id, "values": values})
        for (scope, scope_id), visitors in counts.visitors.items():
            pipe.sadd(key(m, scope, scope_id, "visitors"), *visitors)
        for start in range(0, len(counts.event_keys), SEEN_CHUNK):
            pipe.sadd(key(m, "seen"), *counts.event_keys[start:start + SEEN_CHUNK])
        if counts.joins_by_minute:
            pipe.hset(key(m, "minutes"), mapping=dict(counts.joins_by_minute))
        if counts.recent:
            pipe.rpush(key(m, "recent"), *[json.dumps(line, ensure_ascii=False) for line in counts.recent])
        pipe.set(key(m, "built"), 1)
        pipe.incr(key(m, "seq"))
        message = {"changes": changes, "minutes": dict(counts.joins_by_minute)}
        pipe.publish(channel_prefix(self.client) + str(m), json.dumps(message, ensure_ascii=False))

    def rebuild_stale(self) -> None:
        """Rebuild every meeting this process failed to count an event of, now that Redis answers."""
        for meeting_id in list(_dirty_meetings):
            self.rebuild(meeting_id)

    def claim_reconcile(self, seconds: int) -> bool:
        """One process of the deployment reconciles per period; the others skip it.

        The claim lapses a second before the period ends, so the claiming process wins its next round too
        (if it died, another process claims within one more period).
        """
        return bool(self.client.set("intake:reconcile_claim", 1, nx=True, ex=max(1, seconds - 1)))

    def reconcile(self, meeting_id: int) -> bool:
        """Rebuild when SQL lies outside what Redis showed around its count, twice in a row."""
        if not self._drifted(meeting_id):
            return False
        # A join committed a moment ago is counted within milliseconds: look again before rebuilding.
        time.sleep(DRIFT_RECHECK_SECONDS)
        drifted = self._drifted(meeting_id)
        if not drifted:
            return False
        log.warning("intake counters of meeting %s drifted in %s; rebuilding from SQL", meeting_id, drifted[:5])
        metrics.DRIFT_REPAIRED.inc()
        self.rebuild(meeting_id)
        return True

    def _drifted(self, meeting_id: int) -> list:
        """The scopes whose SQL count is neither Redis's value just before it nor just after, nor in between.

        Joins keep landing while SQL counts: under load Redis is a few events ahead by the time it is read, and
        comparing with one read called that drift (bench/soak.py at 50 joins/s: a rebuild every few minutes,
        each walking the whole meeting). Reading Redis on both sides allows for those; a lost event still
        shows, at the latest once its scope or its minute of the joins chart has a quiet moment.
        """
        before = self.read(meeting_id)
        in_sql = count_meeting(meeting_id)
        after = self.read(meeting_id)
        scopes = set(in_sql.values) | set(before.values) | set(after.values)
        drifted = [s for s in scopes if not _between(before.values_of(*s), in_sql.values_of(*s), after.values_of(*s))]
        minutes = set(in_sql.joins_by_minute) | set(before.joins_by_minute) | set(after.joins_by_minute)
        if not _between(*(_joins_in(counts, minutes) for counts in (before, in_sql, after))):
            drifted.append(("minutes", 0))
        return drifted


def _between(before: dict[str, int], in_sql: dict[str, int], after: dict[str, int]) -> bool:
    """Every SQL value within the range Redis's value moved through (a withdrawal moves it down)."""
    return all(min(before[name], after[name]) <= in_sql[name] <= max(before[name], after[name]) for name in in_sql)


def _joins_in(counts: MeetingCounts, minutes: set[str]) -> dict[str, int]:
    return {minute: counts.joins_by_minute.get(minute, 0) for minute in minutes}
