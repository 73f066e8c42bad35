package dev.llmthrottle.core.redis;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.llmthrottle.core.TimeSource;

/**
 * The heartbeat of one provider's concurrency leases: every third of the lease TTL, each
 * partition that holds leases renews them in one asynchronous script call. A long
 * streamed call therefore keeps its slot, and a crashed instance's slots come back one
 * TTL after its last heartbeat. Runs only while some lease is held.
 */
final class LeaseKeeper {

	private final Set<RedisPartitionState> holders = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean scheduled = new AtomicBoolean();

	private final TimeSource time;

	private final long periodNanos;

	private volatile boolean closed;

	private volatile TimeSource.Cancellable next;

	LeaseKeeper(TimeSource time, long leaseTtlNanos) {
		this.time = time;
		this.periodNanos = Math.max(1, leaseTtlNanos / 3);
	}

	/** {@code state} now holds at least one lease. */
	void hold(RedisPartitionState state) {
		this.holders.add(state);
		if (!this.closed && this.scheduled.compareAndSet(false, true)) {
			this.next = this.time.schedule(this::beat, this.periodNanos);
		}
	}

	private void beat() {
		for (RedisPartitionState state : this.holders) {
			state.renewLeases();
			if (!state.holdsLeases()) {
				this.holders.remove(state);
				if (state.holdsLeases()) {
					this.holders.add(state); // took one meanwhile
				}
			}
		}
		if (this.closed) {
			return;
		}
		if (this.holders.isEmpty()) {
			this.scheduled.set(false);
			if (!this.holders.isEmpty() && this.scheduled.compareAndSet(false, true)) {
				this.next = this.time.schedule(this::beat, this.periodNanos);
			}
			return;
		}
		this.next = this.time.schedule(this::beat, this.periodNanos);
	}

	void close() {
		this.closed = true;
		TimeSource.Cancellable pending = this.next;
		if (pending != null) {
			pending.cancel();
		}
	}

}
