package dev.llmthrottle.autoconfigure.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The most recent events of one provider: a ring buffer that drops the oldest event when
 * full.
 *
 * <p>
 * The engine reports when a cooldown starts but not when it ends, so the end is derived:
 * each partition's pending cooldown end is remembered, and a {@code cooldown-lifted}
 * event stamped with that instant is added as soon as the clock has passed it, before
 * anything newer is recorded and whenever the log is read. Events therefore stay in time
 * order. A lock (not a lock-free queue) because appending, evicting and lifting due
 * cooldowns must happen as one step; it is held only for a few list operations.
 */
final class ProviderEventLog {

	private final String provider;

	private final Clock clock;

	private final AtomicLong sequence;

	private final int capacity;

	private final ReentrantLock lock = new ReentrantLock();

	private final ArrayDeque<ThrottleEvent> events;

	private final Map<String, PendingLift> pendingLifts = new LinkedHashMap<>();

	ProviderEventLog(String provider, Clock clock, AtomicLong sequence, int capacity) {
		this.provider = provider;
		this.clock = clock;
		this.sequence = sequence;
		this.capacity = capacity;
		this.events = new ArrayDeque<>(capacity);
	}

	/** Records an event happening now. */
	void append(ThrottleEventType type, String partition, Map<String, Object> details) {
		this.lock.lock();
		try {
			Instant now = this.clock.instant();
			liftDue(now);
			add(now, type, partition, details);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Records that {@code partition} is paused for {@code duration} from now, and when it
	 * will be lifted.
	 */
	void cooldownStarted(String partition, Duration duration, String reason, Map<String, Object> details) {
		this.lock.lock();
		try {
			Instant now = this.clock.instant();
			liftDue(now);
			add(now, ThrottleEventType.COOLDOWN_STARTED, partition, details);
			Instant until = now.plus(duration);
			PendingLift existing = this.pendingLifts.get(partition);
			if (existing == null || existing.until().isBefore(until)) {
				this.pendingLifts.put(partition, new PendingLift(until, reason));
			}
			if (this.pendingLifts.size() > this.capacity) {
				// More paused partitions than events kept: forget the oldest pause rather
				// than grow.
				Iterator<String> eldest = this.pendingLifts.keySet().iterator();
				eldest.next();
				eldest.remove();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The events kept, oldest first, including lifts that have fallen due. */
	List<ThrottleEvent> events() {
		this.lock.lock();
		try {
			liftDue(this.clock.instant());
			return List.copyOf(this.events);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Lock held. Adds a {@code cooldown-lifted} event for every pause that has ended by
	 * {@code now}.
	 */
	private void liftDue(Instant now) {
		if (this.pendingLifts.isEmpty()) {
			return;
		}
		List<Map.Entry<String, PendingLift>> due = null;
		for (Map.Entry<String, PendingLift> entry : this.pendingLifts.entrySet()) {
			if (!entry.getValue().until().isAfter(now)) {
				due = (due != null) ? due : new ArrayList<>();
				due.add(Map.entry(entry.getKey(), entry.getValue()));
			}
		}
		if (due == null) {
			return;
		}
		due.sort(Comparator.comparing((Map.Entry<String, PendingLift> entry) -> entry.getValue().until())
			.thenComparing(Map.Entry::getKey));
		for (Map.Entry<String, PendingLift> entry : due) {
			this.pendingLifts.remove(entry.getKey());
			Map<String, Object> details = (entry.getValue().reason() != null)
					? Map.of("reason", entry.getValue().reason()) : Map.of();
			add(entry.getValue().until(), ThrottleEventType.COOLDOWN_LIFTED, entry.getKey(), details);
		}
	}

	/** Lock held. */
	private void add(Instant timestamp, ThrottleEventType type, String partition, Map<String, Object> details) {
		if (this.events.size() == this.capacity) {
			this.events.pollFirst();
		}
		this.events.addLast(new ThrottleEvent(this.sequence.incrementAndGet(), timestamp, type.id(), this.provider,
				partition, details));
	}

	private record PendingLift(Instant until, String reason) {
	}

}
