package dev.llmthrottle.core.redis;

import java.util.ArrayList;
import java.util.List;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;

/**
 * The wire contract of {@code throttle.lua} for one partition: the keys, the arguments of
 * each operation and the parsing of their replies. Nothing here talks to Redis.
 *
 * <p>
 * {@code KEYS}: state hash, leases, cooldown, then one window per limit (in the order of
 * the limits passed). {@code ARGV[1]} is the operation, {@code ARGV[2]} the time in
 * microseconds: always 0 (Redis {@code TIME}) except in tests.
 */
final class PartitionScript {

	/** A bucket value meaning "not charged at admission". */
	static final long NO_BUCKET = -1;

	private PartitionScript() {
	}

	static List<String> keys(RedisKeys keys, List<ScriptLimit> limits) {
		List<String> list = new ArrayList<>(3 + limits.size());
		list.add(keys.state());
		list.add(keys.leases());
		list.add(keys.cooldown());
		for (ScriptLimit limit : limits) {
			list.add(keys.window(limit.limit()));
		}
		return list;
	}

	/**
	 * @param deadline server time (µs) after which the script must not admit (a command
	 * that arrives late, e.g. after Redis was paused, is refused rather than taking quota
	 * nobody waits for); 0 for none
	 * @param leaseId the lease to take, or empty when concurrency is not capped
	 * @param burstMicros per limit, how far admissions may run ahead of its steady rate
	 */
	static List<String> admit(long now, long deadline, String leaseId, int maxConcurrent, long leaseTtlMicros,
			long pollMicros, List<ScriptLimit> limits, long[] burstMicros, Cost cost) {
		List<String> args = new ArrayList<>(8 + 5 * limits.size());
		args.add("admit");
		args.add(Long.toString(now));
		args.add(Long.toString(deadline));
		args.add(leaseId);
		args.add(Integer.toString(maxConcurrent));
		args.add(Long.toString(leaseTtlMicros));
		args.add(Long.toString(pollMicros));
		args.add(Integer.toString(limits.size()));
		for (int i = 0; i < limits.size(); i++) {
			ScriptLimit limit = limits.get(i);
			addLimit(args, limit);
			args.add(Long.toString(burstMicros[i]));
			args.add(Long.toString(cost.amount(limit.limit().dimension())));
		}
		return args;
	}

	/**
	 * Settles an admission (and releases its lease): per limit, from {@code admitted} to
	 * {@code actual} units.
	 * @param buckets the admission's bucket per limit, or {@link #NO_BUCKET} (a charge
	 * after the fact)
	 */
	static List<String> settle(long now, String leaseId, List<ScriptLimit> limits, long[] buckets, long[] admitted,
			long[] actual) {
		List<String> args = new ArrayList<>(4 + 6 * limits.size());
		args.add("settle");
		args.add(Long.toString(now));
		args.add(leaseId);
		args.add(Integer.toString(limits.size()));
		for (int i = 0; i < limits.size(); i++) {
			addLimit(args, limits.get(i));
			args.add(Long.toString(buckets[i]));
			args.add(Long.toString(admitted[i]));
			args.add(Long.toString(actual[i]));
		}
		return args;
	}

	/**
	 * Extends live leases; the reply is {@code {renewed, lost, now, lost ids...}} (see
	 * {@link #lostLeases}).
	 */
	static List<String> renew(long now, long leaseTtlMicros, List<String> leaseIds) {
		List<String> args = new ArrayList<>(3 + leaseIds.size());
		args.add("renew");
		args.add(Long.toString(now));
		args.add(Long.toString(leaseTtlMicros));
		args.addAll(leaseIds);
		return args;
	}

	static List<String> coolDown(long millis, String reason) {
		return coolDown(0, millis, reason);
	}

	/** A cooldown of {@code millis} from {@code now} (the script caps it at a day). */
	static List<String> coolDown(long now, long millis, String reason) {
		return List.of("cooldown", Long.toString(now), Long.toString(millis), reason);
	}

	/**
	 * Tells the script that limits changed amount: the amount held back after a report is
	 * dropped, and with {@code rescale} (a learned limit) the pacing still owed is
	 * rescaled to the new rate.
	 * @param oldAmounts per limit, the amount before the change
	 */
	static List<String> relearn(long now, List<ScriptLimit> limits, long[] oldAmounts, boolean rescale) {
		List<String> args = new ArrayList<>(3 + 5 * limits.size());
		args.add("relearn");
		args.add(Long.toString(now));
		args.add(Integer.toString(limits.size()));
		for (int i = 0; i < limits.size(); i++) {
			addLimit(args, limits.get(i));
			args.add(Long.toString(oldAmounts[i]));
			args.add(rescale ? "1" : "0");
		}
		return args;
	}

	/**
	 * @param remaining per limit, -1 where nothing was reported
	 */
	static List<String> report(long now, List<ScriptLimit> limits, long[] remaining, long resetMicros) {
		List<String> args = new ArrayList<>(3 + 5 * limits.size());
		args.add("report");
		args.add(Long.toString(now));
		args.add(Integer.toString(limits.size()));
		for (int i = 0; i < limits.size(); i++) {
			ScriptLimit limit = limits.get(i);
			addLimit(args, limit);
			args.add(Long.toString(remaining[i]));
			// held back for one (unguarded) period at most, as the in-memory state does
			args.add(Long.toString(Math.min(resetMicros, limit.limit().periodNanos() / 1000)));
		}
		return args;
	}

	private static void addLimit(List<String> args, ScriptLimit limit) {
		args.add(limit.id());
		args.add(Long.toString(limit.amount()));
		args.add(Long.toString(limit.periodMicros()));
	}

	/** Per limit, the amount {@code cost} spends of its dimension. */
	static long[] amounts(List<ScriptLimit> limits, Cost cost) {
		long[] amounts = new long[limits.size()];
		for (int i = 0; i < amounts.length; i++) {
			amounts[i] = cost.amount(limits.get(i).limit().dimension());
		}
		return amounts;
	}

	/**
	 * What a released admission really spent per limit, with the local state's rule:
	 * {@code null} keeps the estimate, a sent call keeps its request, an abandoned call
	 * ({@link Cost#NONE}, not sent) spends nothing.
	 */
	static long[] actual(List<ScriptLimit> limits, Cost estimate, Cost actual, boolean sent) {
		long[] amounts = new long[limits.size()];
		for (int i = 0; i < amounts.length; i++) {
			Dimension dimension = limits.get(i).limit().dimension();
			amounts[i] = (actual == null || (sent && dimension == Dimension.REQUESTS)) ? estimate.amount(dimension)
					: actual.amount(dimension);
		}
		return amounts;
	}

	/**
	 * The reply of {@code admit}.
	 *
	 * @param status 1 admitted, 0 wait, -1 arrived after its deadline (nothing taken)
	 * @param now the server time of the decision (µs)
	 * @param waitMicros when waiting, for how long
	 * @param blockedBy when waiting: {@code cooldown}, {@code concurrency} or a limit id
	 * @param cooldownReason when blocked by a cooldown, its reason
	 * @param buckets when admitted, the bucket charged per limit ({@link #NO_BUCKET} if
	 * none)
	 * @param sums when admitted, each limit's window sum after the admission
	 */
	record AdmitReply(int status, long now, long waitMicros, String blockedBy, String cooldownReason, long[] buckets,
			long[] sums) {

		static AdmitReply parse(List<Object> reply, int limits) {
			int status = (int) number(reply.get(0));
			long now = number(reply.get(1));
			if (status == 1) {
				long[] buckets = new long[limits];
				long[] sums = new long[limits];
				for (int i = 0; i < limits; i++) {
					buckets[i] = number(reply.get(2 + i));
					sums[i] = number(reply.get(2 + limits + i));
				}
				return new AdmitReply(1, now, 0, null, null, buckets, sums);
			}
			if (status == 0) {
				return new AdmitReply(0, now, number(reply.get(2)), String.valueOf(reply.get(3)),
						String.valueOf(reply.get(4)), null, null);
			}
			return new AdmitReply(-1, now, 0, null, null, null, null);
		}

	}

	static long number(Object value) {
		if (value instanceof Number number) {
			return number.longValue();
		}
		return Long.parseLong(String.valueOf(value));
	}

	/**
	 * The lease ids a {@code renew} reply reports lost (expired or unknown when it ran).
	 */
	static List<String> lostLeases(List<Object> renewReply) {
		List<String> lost = new ArrayList<>();
		for (int i = 3; i < renewReply.size(); i++) {
			Object id = renewReply.get(i);
			lost.add((id instanceof byte[] bytes) ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
					: String.valueOf(id));
		}
		return lost;
	}

}
