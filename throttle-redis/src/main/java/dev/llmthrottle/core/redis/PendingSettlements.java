package dev.llmthrottle.core.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settlements a partition could not send to Redis (its breaker was open, or the call
 * failed), kept until Redis answers again: at most one per permit (a later settlement of
 * the same permit replaces the earlier one) and at most {@code capacity} in all.
 * Thread-safe.
 */
final class PendingSettlements {

	private final int capacity;

	private final Map<Object, Settlement> byPermit = new LinkedHashMap<>();

	PendingSettlements(int capacity) {
		this.capacity = capacity;
	}

	/**
	 * Keeps {@code settlement} for {@code permit} (compared by identity).
	 * @return false when full: the settlement could not be kept
	 */
	synchronized boolean add(Object permit, Settlement settlement) {
		Key key = new Key(permit);
		if (!this.byPermit.containsKey(key) && this.byPermit.size() >= this.capacity) {
			return false;
		}
		this.byPermit.put(key, settlement);
		return true;
	}

	/** Takes every kept settlement, oldest first. */
	synchronized List<Settlement> drain() {
		List<Settlement> all = new ArrayList<>(this.byPermit.values());
		this.byPermit.clear();
		return all;
	}

	synchronized boolean isEmpty() {
		return this.byPermit.isEmpty();
	}

	synchronized int size() {
		return this.byPermit.size();
	}

	/** One script call to make: the keys and arguments of a {@code settle}. */
	record Settlement(List<String> keys, List<String> args) {
	}

	/**
	 * A permit's grant compared by identity (records compare arrays by identity anyway,
	 * but say so).
	 */
	private record Key(Object permit) {

		@Override
		public boolean equals(Object other) {
			return other instanceof Key key && key.permit == this.permit;
		}

		@Override
		public int hashCode() {
			return System.identityHashCode(this.permit);
		}

	}

}
