package dev.llmthrottle.core.redis;

import java.lang.System.Logger.Level;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.ThrottleListener;

/**
 * Whether one provider's partitions use Redis right now: a small circuit breaker. The
 * first failure (timeout, disconnection, error reply) opens it; while open, decisions
 * follow the failure policy without touching Redis, and at most one {@code PING} per
 * probe interval asks whether Redis answers again; the first answer (or any successful
 * script) closes it. Every degraded decision is reported to the listener; the log gets at
 * most one warning per interval.
 */
final class BackendHealth {

	private static final System.Logger LOG = System.getLogger(BackendHealth.class.getName());

	private static final int MAX_REASON = 200;

	private final String provider;

	private final RedisScripts scripts;

	private final RedisBackendSettings settings;

	private final TimeSource time;

	private final ThrottleListener listener;

	private final AtomicLong nextProbe = new AtomicLong();

	private final AtomicLong nextWarning;

	private final LongAdder degradedDecisions = new LongAdder();

	private volatile boolean degraded;

	private volatile String reason = "";

	BackendHealth(String provider, RedisScripts scripts, RedisBackendSettings settings, TimeSource time,
			ThrottleListener listener) {
		this.provider = provider;
		this.scripts = scripts;
		this.settings = settings;
		this.time = time;
		this.listener = listener;
		this.nextWarning = new AtomicLong(time.nanoTime());
	}

	/** Whether decisions go to Redis (the breaker is closed). */
	boolean redisAllowed() {
		return !this.degraded;
	}

	boolean degraded() {
		return this.degraded;
	}

	/**
	 * Why the backend is degraded (for the listener, the log and exceptions; never
	 * contains key material).
	 */
	String reason() {
		return this.reason;
	}

	long degradedDecisions() {
		return this.degradedDecisions.sum();
	}

	void failed(Throwable failure) {
		this.reason = describe(failure);
		if (!this.degraded) {
			this.nextProbe.set(this.time.nanoTime() + this.settings.probeInterval().toNanos());
			this.degraded = true;
		}
		warnIfDue();
	}

	void succeeded() {
		if (this.degraded) {
			this.degraded = false;
			LOG.log(Level.INFO, "llm-throttle provider ''{0}'': Redis answers again; shared limits are back in force",
					this.provider);
		}
	}

	/**
	 * One decision was taken without Redis: counted, reported, warned about at most once
	 * per interval.
	 */
	void degradedDecision() {
		this.degradedDecisions.increment();
		this.listener.backendDegraded(this.provider, this.reason);
		warnIfDue();
	}

	/**
	 * A settlement made while degraded could not be carried to Redis: reported like a
	 * degraded decision.
	 */
	void settlementNotCarried() {
		this.listener.backendDegraded(this.provider,
				"a settlement could not be carried to Redis (" + this.reason + ")");
		warnIfDue();
	}

	/**
	 * Sends one {@code PING} if the breaker is open and the last probe is a probe
	 * interval old. Never blocks.
	 */
	void probeIfDue() {
		if (!this.degraded) {
			return;
		}
		long now = this.time.nanoTime();
		long due = this.nextProbe.get();
		if (now - due < 0 || !this.nextProbe.compareAndSet(due, now + this.settings.probeInterval().toNanos())) {
			return;
		}
		this.scripts.ping().whenComplete((pong, failure) -> {
			if (failure == null) {
				succeeded();
			}
			else {
				this.reason = describe(failure);
			}
		});
	}

	private void warnIfDue() {
		long now = this.time.nanoTime();
		long due = this.nextWarning.get();
		if (now - due >= 0 && this.nextWarning.compareAndSet(due, now + this.settings.warnInterval().toNanos())) {
			LOG.log(Level.WARNING,
					"llm-throttle provider ''{0}'': Redis cannot decide ({1}); failure policy {2} applies until it "
							+ "answers again",
					this.provider, this.reason, this.settings.onFailure());
		}
	}

	static String describe(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null && (cause.getMessage() == null || cause instanceof CompletionException
				|| cause instanceof ExecutionException)) {
			cause = cause.getCause();
		}
		String text = (cause instanceof TimeoutException && cause.getMessage() == null) ? "command timed out"
				: cause.getClass().getSimpleName() + ((cause.getMessage() != null) ? ": " + cause.getMessage() : "");
		text = "redis: " + text.replace('\n', ' ');
		return (text.length() > MAX_REASON) ? text.substring(0, MAX_REASON) : text;
	}

}
