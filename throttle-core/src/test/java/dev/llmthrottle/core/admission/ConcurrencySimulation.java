package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.VirtualTimeSource;

/**
 * A batch of calls through a real {@link Partition} against an in-process provider, all
 * on virtual time (single-threaded, deterministic): the provider caps calls in flight
 * (refusing the excess after {@link #REFUSAL_DELAY} with an overload answer) and answers
 * the others after a latency that may change over time. Every refused call is sent again.
 */
final class ConcurrencySimulation {

	static final Duration REFUSAL_DELAY = Duration.ofMillis(20);

	private static final long STEP = Duration.ofMillis(10).toNanos();

	private final VirtualTimeSource time;

	private final Partition partition;

	private final int providerCap;

	private final LongUnaryOperator latencyAt;

	private int providerInFlight;

	private int remaining;

	int completed;

	int refused;

	int maxInFlight;

	int maxProviderInFlight;

	long started;

	long finished;

	/** (elapsed ms, limit) sampled every 100 ms of virtual time. */
	final List<long[]> limits = new ArrayList<>();

	/**
	 * @param providerCap calls the provider serves at once, 0 for no cap
	 * @param latencyAt the provider's latency in nanoseconds as a function of the elapsed
	 * nanoseconds
	 */
	ConcurrencySimulation(VirtualTimeSource time, Partition partition, int providerCap, LongUnaryOperator latencyAt) {
		this.time = time;
		this.partition = partition;
		this.providerCap = providerCap;
		this.latencyAt = latencyAt;
	}

	/**
	 * Runs {@code calls} calls from {@code callers} callers; stops after {@code limit}.
	 */
	ConcurrencySimulation run(int calls, int callers, Duration limit) {
		this.remaining = calls;
		this.started = this.time.nanoTime();
		for (int i = 0; i < callers && this.remaining > 0; i++) {
			this.remaining--;
			call();
		}
		long deadline = this.started + limit.toNanos();
		long nextSample = this.started;
		while (this.completed < calls && this.time.nanoTime() - deadline < 0) {
			if (this.time.nanoTime() - nextSample >= 0) {
				this.limits.add(new long[] { elapsedMillis(), this.partition.concurrencyLimit() });
				nextSample += Duration.ofMillis(100).toNanos();
			}
			this.time.advanceNanos(STEP);
		}
		this.finished = this.time.nanoTime();
		return this;
	}

	Duration makespan() {
		return Duration.ofNanos(this.finished - this.started);
	}

	/** The last limit sampled at or before {@code elapsed}. */
	long limitAt(Duration elapsed) {
		long result = 0;
		for (long[] sample : this.limits) {
			if (sample[0] <= elapsed.toMillis()) {
				result = sample[1];
			}
		}
		return result;
	}

	private long elapsedMillis() {
		return (this.time.nanoTime() - this.started) / 1_000_000;
	}

	private void call() {
		this.partition.acquireAsync(Cost.oneRequest()).whenComplete((permit, error) -> {
			if (error != null) {
				throw new IllegalStateException("admission failed in the simulation", error);
			}
			send(permit);
		});
	}

	private void send(Permit permit) {
		this.maxInFlight = Math.max(this.maxInFlight, this.partition.snapshot().inFlight());
		if (this.providerCap > 0 && this.providerInFlight >= this.providerCap) {
			this.time.schedule(() -> {
				this.refused++;
				permit.reportOutcome(Permit.Outcome.OVERLOADED);
				permit.release(Cost.oneRequest());
				call();
			}, REFUSAL_DELAY.toNanos());
			return;
		}
		this.providerInFlight++;
		this.maxProviderInFlight = Math.max(this.maxProviderInFlight, this.providerInFlight);
		long latency = this.latencyAt.applyAsLong(this.time.nanoTime() - this.started);
		this.time.schedule(() -> {
			this.providerInFlight--;
			this.completed++;
			permit.reportOutcome(Permit.Outcome.SUCCEEDED);
			permit.release(null);
			if (this.remaining > 0) {
				this.remaining--;
				call();
			}
		}, latency);
	}

}
