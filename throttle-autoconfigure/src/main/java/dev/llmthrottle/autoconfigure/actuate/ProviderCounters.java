package dev.llmthrottle.autoconfigure.actuate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.llmthrottle.autoconfigure.actuate.ThrottleStatistics.Marker;
import dev.llmthrottle.autoconfigure.actuate.ThrottleStatistics.ProviderActivity;
import dev.llmthrottle.core.Limit;

/**
 * The counters of one provider. Lock-free: each count is a {@link LongAdder}; keyed
 * counts live in maps whose keys come from small fixed sets and are capped all the same.
 */
final class ProviderCounters {

	/**
	 * Distinct keys per keyed count (reasons, limit types); further keys are counted
	 * under {@code other}.
	 */
	static final int MAX_KEYS = 16;

	/** Partitions remembered as having exhausted their quota. */
	static final int MAX_EXHAUSTED_PARTITIONS = 1024;

	private static final int MAX_LEARNED = 32;

	final LongAdder admitted = new LongAdder();

	final LongAdder released = new LongAdder();

	final LongAdder abandoned = new LongAdder();

	final LongAdder settled = new LongAdder();

	final LongAdder retries = new LongAdder();

	final LongAdder cooldowns = new LongAdder();

	final LongAdder limitsLearned = new LongAdder();

	final LongAdder quotaExhausted = new LongAdder();

	final LongAdder backendDegraded = new LongAdder();

	final LongAdder estimatedInput = new LongAdder();

	final LongAdder estimatedOutput = new LongAdder();

	final LongAdder actualInput = new LongAdder();

	final LongAdder actualOutput = new LongAdder();

	private final ConcurrentHashMap<String, LongAdder> rejected = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, LongAdder> rateLimited = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, Limit> learned = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, Marker> exhaustedPartitions = new ConcurrentHashMap<>();

	volatile Marker lastQuotaExhausted;

	volatile Marker lastBackendDegraded;

	void rejected(String reason) {
		increment(this.rejected, reason);
	}

	void rateLimited(String limitType) {
		increment(this.rateLimited, limitType);
	}

	void learned(Limit limit) {
		String key = limit.dimension().id() + "/" + limit.period();
		if (this.learned.size() < MAX_LEARNED || this.learned.containsKey(key)) {
			this.learned.put(key, limit);
		}
	}

	void quotaExhausted(Marker marker) {
		this.lastQuotaExhausted = marker;
		if (this.exhaustedPartitions.size() < MAX_EXHAUSTED_PARTITIONS) {
			this.exhaustedPartitions.put(marker.partition(), marker);
		}
	}

	/**
	 * A call on {@code partition} succeeded with reported usage: its quota is evidently
	 * back.
	 */
	void succeeded(String partition) {
		if (!this.exhaustedPartitions.isEmpty() && this.exhaustedPartitions.remove(partition) != null
				&& this.exhaustedPartitions.isEmpty()) {
			this.lastQuotaExhausted = null;
		}
	}

	ProviderActivity snapshot() {
		List<Limit> learnedLimits = new ArrayList<>(this.learned.values());
		learnedLimits.sort(Comparator.comparing((Limit limit) -> limit.dimension()).thenComparing(Limit::period));
		return new ProviderActivity(this.admitted.sum(), counts(this.rejected), counts(this.rateLimited),
				this.retries.sum(), this.cooldowns.sum(), this.limitsLearned.sum(), this.quotaExhausted.sum(),
				this.backendDegraded.sum(), this.released.sum(), this.abandoned.sum(), this.settled.sum(),
				tokens(this.estimatedInput, this.estimatedOutput), tokens(this.actualInput, this.actualOutput),
				List.copyOf(learnedLimits), this.exhaustedPartitions.size(), this.lastQuotaExhausted,
				this.lastBackendDegraded);
	}

	private static void increment(ConcurrentHashMap<String, LongAdder> counts, String key) {
		LongAdder adder = counts.get(key);
		if (adder == null) {
			String effective = (counts.size() < MAX_KEYS) ? key : "other";
			adder = counts.computeIfAbsent(effective, (ignored) -> new LongAdder());
		}
		adder.increment();
	}

	private static Map<String, Long> tokens(LongAdder input, LongAdder output) {
		Map<String, Long> result = new LinkedHashMap<>();
		result.put("input-tokens", input.sum());
		result.put("output-tokens", output.sum());
		return result;
	}

	private static Map<String, Long> counts(Map<String, LongAdder> counts) {
		Map<String, Long> result = new TreeMap<>();
		counts.forEach((key, adder) -> result.put(key, adder.sum()));
		return result;
	}

}
