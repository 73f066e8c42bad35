package dev.llmthrottle.test.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe counters of what the provider answered: statuses, refusals by reason,
 * injected faults.
 */
public final class Outcomes {

	private final LongAdder received = new LongAdder();

	private final ConcurrentHashMap<String, LongAdder> rejections = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<Integer, LongAdder> statuses = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, LongAdder> faults = new ConcurrentHashMap<>();

	/** A chat request arrived. */
	public void received() {
		received.increment();
	}

	/** A request was refused for the given reason. */
	public void rejected(String reason) {
		rejections.computeIfAbsent(reason, k -> new LongAdder()).increment();
	}

	/** A response with the given status was sent. */
	public void responded(int status) {
		statuses.computeIfAbsent(status, k -> new LongAdder()).increment();
	}

	/** A fault of the given kind was injected. */
	public void fault(String kind) {
		faults.computeIfAbsent(kind, k -> new LongAdder()).increment();
	}

	/** Clears every counter. */
	public void reset() {
		received.reset();
		rejections.clear();
		statuses.clear();
		faults.clear();
	}

	long receivedCount() {
		return received.sum();
	}

	Map<String, Long> rejections() {
		return copy(rejections);
	}

	Map<Integer, Long> statuses() {
		return copy(statuses);
	}

	Map<String, Long> faults() {
		return copy(faults);
	}

	private static <K> Map<K, Long> copy(Map<K, LongAdder> counters) {
		Map<K, Long> copy = new TreeMap<>();
		counters.forEach((k, v) -> copy.put(k, v.sum()));
		return copy;
	}

}
