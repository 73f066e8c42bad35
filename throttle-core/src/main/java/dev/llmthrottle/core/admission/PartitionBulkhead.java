package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.event.BulkheadEvent;
import io.github.resilience4j.bulkhead.event.BulkheadOnCallFinishedEvent;
import io.github.resilience4j.bulkhead.event.BulkheadOnCallPermittedEvent;
import io.github.resilience4j.bulkhead.event.BulkheadOnCallRejectedEvent;
import io.github.resilience4j.core.EventConsumer;
import io.github.resilience4j.core.EventProcessor;

/**
 * A partition's concurrency cap as a Resilience4j {@link Bulkhead}: a plain counter of
 * calls in flight against a cap, instead of {@code SemaphoreBulkhead}'s semaphore, which
 * the engine cannot use safely:
 * <ul>
 * <li>its {@code tryAcquire(0, unit)} refuses on an interrupted thread even with free
 * slots, so an admission or a drain run from a cancelled task's {@code finally} lost its
 * wake-up and the waiter was refused for nothing;</li>
 * <li>its {@code changeConfig} waits, uninterruptibly, for the slots a lowered cap
 * removes, under the partition lock that releases need: lowering the cap with calls in
 * flight deadlocked.</li>
 * </ul>
 * Here nothing ever waits or looks at the interrupt flag: a permission is taken when
 * fewer than the cap are in flight, and a lowered cap takes effect as permits come back
 * (nothing new is admitted until the count is below it). The count is guarded by the
 * partition's lock, under which the engine already runs (so the fast path adds no atomic
 * operation); the Resilience4j methods take the lock themselves. Waiting for a slot is
 * the partition's queue's job, so {@link #acquirePermission()} never waits either.
 * Releases beyond what was taken are ignored, so the count never goes below zero nor the
 * capacity above the cap. Events and metrics are those Resilience4j documents.
 */
final class PartitionBulkhead implements Bulkhead {

	private final String name;

	private final Map<String, String> tags;

	private final ReentrantLock lock;

	private final Publisher events = new Publisher();

	private final Metrics metrics = new PartitionMetrics();

	private volatile BulkheadConfig config;

	/**
	 * Guarded by {@link #lock}: the cap in force ({@link Integer#MAX_VALUE} when
	 * uncapped) and the slots taken.
	 */
	private int max;

	private int inFlight;

	/**
	 * @param maxConcurrent the cap, or 0 for none (the count is still kept, so a cap set
	 * later counts the calls already in flight)
	 * @param lock the partition's lock, which guards the count
	 */
	PartitionBulkhead(String name, int maxConcurrent, ReentrantLock lock, Map<String, String> tags) {
		this.name = name;
		this.tags = Map.copyOf(tags);
		this.lock = lock;
		setMax(maxConcurrent);
	}

	/**
	 * Lock held. Changes the cap (0: none); never waits, a lower cap takes effect as
	 * calls come back.
	 */
	void setMax(int maxConcurrent) {
		int cap = (maxConcurrent > 0) ? maxConcurrent : Integer.MAX_VALUE;
		this.config = BulkheadConfig.custom().maxConcurrentCalls(cap).maxWaitDuration(Duration.ZERO).build();
		this.max = cap;
	}

	/** Lock held. Whether a cap is set. */
	boolean isCapped() {
		return this.max != Integer.MAX_VALUE;
	}

	/** Lock held. Takes a slot if fewer than the cap are in flight. */
	boolean tryTake() {
		if (this.inFlight >= this.max) {
			if (this.events.hasConsumers()) {
				this.events.processEvent(new BulkheadOnCallRejectedEvent(this.name));
			}
			return false;
		}
		this.inFlight++;
		if (this.events.hasConsumers()) {
			this.events.processEvent(new BulkheadOnCallPermittedEvent(this.name));
		}
		return true;
	}

	/** Lock held. Gives a slot back; one more than was taken is ignored. */
	boolean giveBack() {
		if (this.inFlight == 0) {
			return false;
		}
		this.inFlight--;
		return true;
	}

	/** Lock held. Gives a slot back at the end of a call. */
	void complete() {
		if (giveBack() && this.events.hasConsumers()) {
			this.events.processEvent(new BulkheadOnCallFinishedEvent(this.name));
		}
	}

	/**
	 * Never waits: a lowered cap holds back new calls until enough in flight have come
	 * back.
	 */
	@Override
	public void changeConfig(BulkheadConfig newConfig) {
		this.lock.lock();
		try {
			this.config = newConfig;
			this.max = newConfig.getMaxConcurrentCalls();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public boolean tryAcquirePermission() {
		this.lock.lock();
		try {
			return tryTake();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Takes a slot if one is free, else throws {@link BulkheadFullException}: waiting is
	 * the partition's job.
	 */
	@Override
	public void acquirePermission() {
		if (!tryAcquirePermission()) {
			throw BulkheadFullException.createBulkheadFullException(this);
		}
	}

	@Override
	public void releasePermission() {
		this.lock.lock();
		try {
			giveBack();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void onComplete() {
		this.lock.lock();
		try {
			complete();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Calls in flight now (may exceed the cap just after it was lowered). */
	int inFlight() {
		this.lock.lock();
		try {
			return this.inFlight;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public BulkheadConfig getBulkheadConfig() {
		return this.config;
	}

	@Override
	public Metrics getMetrics() {
		return this.metrics;
	}

	@Override
	public Map<String, String> getTags() {
		return this.tags;
	}

	@Override
	public EventPublisher getEventPublisher() {
		return this.events;
	}

	@Override
	public String toString() {
		return "PartitionBulkhead{" + this.name + ", " + inFlight() + " of " + this.config.getMaxConcurrentCalls()
				+ " in flight}";
	}

	private final class PartitionMetrics implements Metrics {

		@Override
		public int getAvailableConcurrentCalls() {
			return Math.max(0, getBulkheadConfig().getMaxConcurrentCalls() - inFlight());
		}

		@Override
		public int getMaxAllowedConcurrentCalls() {
			return getBulkheadConfig().getMaxConcurrentCalls();
		}

	}

	private static final class Publisher extends EventProcessor<BulkheadEvent>
			implements EventConsumer<BulkheadEvent>, EventPublisher {

		@Override
		public EventPublisher onCallRejected(EventConsumer<BulkheadOnCallRejectedEvent> consumer) {
			registerConsumer(BulkheadOnCallRejectedEvent.class.getName(), consumer);
			return this;
		}

		@Override
		public EventPublisher onCallPermitted(EventConsumer<BulkheadOnCallPermittedEvent> consumer) {
			registerConsumer(BulkheadOnCallPermittedEvent.class.getName(), consumer);
			return this;
		}

		@Override
		public EventPublisher onCallFinished(EventConsumer<BulkheadOnCallFinishedEvent> consumer) {
			registerConsumer(BulkheadOnCallFinishedEvent.class.getName(), consumer);
			return this;
		}

		@Override
		public void consumeEvent(BulkheadEvent event) {
			processEvent(event);
		}

	}

}
