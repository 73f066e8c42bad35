package dev.llmthrottle.core.rate;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import dev.llmthrottle.core.DurationFormat;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.TimeSource;
import io.github.resilience4j.core.EventConsumer;
import io.github.resilience4j.core.EventProcessor;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.event.RateLimiterEvent;
import io.github.resilience4j.ratelimiter.event.RateLimiterOnDrainedEvent;
import io.github.resilience4j.ratelimiter.event.RateLimiterOnFailureEvent;
import io.github.resilience4j.ratelimiter.event.RateLimiterOnSuccessEvent;

/**
 * A Resilience4j {@link RateLimiter} whose algorithm is a {@link PacedWindow} (exact
 * trailing window plus GCRA pacing) instead of {@code AtomicRateLimiter}'s fixed cycles,
 * which admit up to twice the limit in a trailing window when a batch starts mid-cycle.
 * Weighted permits, events and metrics behave as Resilience4j documents, so it plugs into
 * the usual decorators; the engine also drives it directly, under its partition's lock,
 * to check several limits atomically.
 */
public final class PacedRateLimiter implements RateLimiter {

	private final String name;

	private final Map<String, String> tags;

	private final TimeSource timeSource;

	private final ReentrantLock lock;

	private final PacedWindow window;

	private final Publisher events = new Publisher();

	private final AtomicInteger waitingThreads = new AtomicInteger();

	private volatile RateLimiterConfig config;

	/**
	 * A standalone limiter with its own lock.
	 * @param timeout how long {@link #acquirePermission(int)} may wait
	 */
	public PacedRateLimiter(String name, Limit limit, Duration burst, Duration timeout, TimeSource timeSource) {
		this(name, limit, burst, timeout, timeSource, new ReentrantLock(), Map.of());
	}

	/** A limiter sharing {@code lock} with other limiters of the same partition. */
	public PacedRateLimiter(String name, Limit limit, Duration burst, Duration timeout, TimeSource timeSource,
			ReentrantLock lock, Map<String, String> tags) {
		this.name = name;
		this.tags = Map.copyOf(tags);
		this.timeSource = timeSource;
		this.lock = lock;
		this.window = new PacedWindow(limit, Saturating.toNanos(burst));
		this.config = configFor(limit, timeout);
	}

	private static RateLimiterConfig configFor(Limit limit, Duration timeout) {
		return RateLimiterConfig.custom()
			.limitForPeriod((int) Math.min(Integer.MAX_VALUE, limit.amount()))
			.limitRefreshPeriod(limit.period())
			.timeoutDuration(timeout)
			.build();
	}

	/** The window this limiter decides with; callers must hold {@link #lock()}. */
	public PacedWindow window() {
		return this.window;
	}

	/** The lock guarding {@link #window()}. */
	public ReentrantLock lock() {
		return this.lock;
	}

	public Limit limit() {
		this.lock.lock();
		try {
			return this.window.limit();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Publishes a success event for permits admitted through the engine (only if someone
	 * listens).
	 */
	public void publishAdmitted(long permits) {
		if (this.events.hasConsumers()) {
			this.events
				.processEvent(new RateLimiterOnSuccessEvent(this.name, (int) Math.min(Integer.MAX_VALUE, permits)));
		}
	}

	/**
	 * Publishes a failure event for permits refused through the engine (only if someone
	 * listens).
	 */
	public void publishRejected(long permits) {
		if (this.events.hasConsumers()) {
			this.events
				.processEvent(new RateLimiterOnFailureEvent(this.name, (int) Math.min(Integer.MAX_VALUE, permits)));
		}
	}

	@Override
	public void changeTimeoutDuration(Duration timeoutDuration) {
		this.config = RateLimiterConfig.from(this.config).timeoutDuration(timeoutDuration).build();
	}

	@Override
	public void changeLimitForPeriod(int limitForPeriod) {
		this.lock.lock();
		try {
			Limit current = this.window.limit();
			Limit changed = new Limit(current.dimension(), limitForPeriod, current.period());
			this.window.reconfigure(changed);
			this.config = configFor(changed, this.config.getTimeoutDuration());
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Books {@code permits} and waits until they may be used. An interrupt while waiting
	 * withdraws the booking (the permits are refunded) and answers {@code false} with the
	 * thread's interrupt flag left set.
	 */
	@Override
	public boolean acquirePermission(int permits) {
		Booking booking = book(permits);
		if (booking == null) {
			return false;
		}
		if (booking.nanos == 0) {
			return true;
		}
		this.waitingThreads.incrementAndGet();
		try {
			long deadline = Saturating.add(this.timeSource.nanoTime(), booking.nanos);
			long remaining = booking.nanos;
			while (remaining > 0) {
				LockSupport.parkNanos(this, remaining);
				if (Thread.currentThread().isInterrupted()) {
					withdraw(booking, permits);
					return false;
				}
				remaining = Saturating.subtract(deadline, this.timeSource.nanoTime());
			}
			return true;
		}
		finally {
			this.waitingThreads.decrementAndGet();
		}
	}

	/**
	 * Books {@code permits} at the first instant they fit and answers how many
	 * nanoseconds until then, or -1 when that is beyond the configured timeout (then
	 * nothing is booked). Bookings are made in order: none is placed before one booked
	 * earlier, and each is checked against the window as of its own instant, so the limit
	 * holds in every trailing window however far ahead callers book.
	 */
	@Override
	public long reservePermission(int permits) {
		Booking booking = book(permits);
		return (booking != null) ? booking.nanos : -1;
	}

	private Booking book(int permits) {
		long timeout = Saturating.toNanos(this.config.getTimeoutDuration());
		this.lock.lock();
		try {
			long now = this.timeSource.nanoTime();
			long wait = this.window.nanosUntilAvailable(permits, now);
			if (wait == PacedWindow.NEVER) {
				throw new IllegalArgumentException("Rate limiter '" + this.name + "': " + permits
						+ " permits can never be admitted by " + this.window.limit());
			}
			if (wait > timeout) {
				publishRejected(permits);
				return null;
			}
			PacedWindow.Entry entry = this.window.consume(permits, Saturating.add(now, wait));
			publishAdmitted(permits);
			return new Booking(entry, wait);
		}
		finally {
			this.lock.unlock();
		}
	}

	private void withdraw(Booking booking, int permits) {
		this.lock.lock();
		try {
			this.window.settle(booking.entry, permits, 0, this.timeSource.nanoTime());
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void drainPermissions() {
		this.lock.lock();
		try {
			long now = this.timeSource.nanoTime();
			long available = this.window.available(now);
			if (available > 0) {
				this.window.consume(available, now);
			}
			if (this.events.hasConsumers()) {
				this.events.processEvent(
						new RateLimiterOnDrainedEvent(this.name, (int) Math.min(Integer.MAX_VALUE, available)));
			}
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
	public RateLimiterConfig getRateLimiterConfig() {
		return this.config;
	}

	@Override
	public Map<String, String> getTags() {
		return this.tags;
	}

	@Override
	public Metrics getMetrics() {
		return new Metrics() {

			@Override
			public int getNumberOfWaitingThreads() {
				return PacedRateLimiter.this.waitingThreads.get();
			}

			@Override
			public int getAvailablePermissions() {
				PacedRateLimiter.this.lock.lock();
				try {
					long available = PacedRateLimiter.this.window
						.available(PacedRateLimiter.this.timeSource.nanoTime());
					return (int) Math.min(Integer.MAX_VALUE, available);
				}
				finally {
					PacedRateLimiter.this.lock.unlock();
				}
			}

		};
	}

	@Override
	public EventPublisher getEventPublisher() {
		return this.events;
	}

	@Override
	public String toString() {
		return "PacedRateLimiter{" + this.name + ", " + this.window.limit() + ", timeout "
				+ DurationFormat.format(this.config.getTimeoutDuration()) + "}";
	}

	/** Permits booked in the window, usable {@code nanos} nanoseconds after booking. */
	private record Booking(PacedWindow.Entry entry, long nanos) {
	}

	private static final class Publisher extends EventProcessor<RateLimiterEvent>
			implements EventConsumer<RateLimiterEvent>, EventPublisher {

		@Override
		public EventPublisher onSuccess(EventConsumer<RateLimiterOnSuccessEvent> consumer) {
			registerConsumer(RateLimiterOnSuccessEvent.class.getName(), consumer);
			return this;
		}

		@Override
		public EventPublisher onFailure(EventConsumer<RateLimiterOnFailureEvent> consumer) {
			registerConsumer(RateLimiterOnFailureEvent.class.getName(), consumer);
			return this;
		}

		@Override
		public void consumeEvent(RateLimiterEvent event) {
			processEvent(event);
		}

	}

}
