package dev.llmthrottle.call;

import java.time.Duration;
import java.util.Optional;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Priority;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.exchange.CallVerdict;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.ResponseFeedback;
import dev.llmthrottle.protocol.OverloadAnswers;
import org.jspecify.annotations.Nullable;

/**
 * What happens around one provider call, written once: admit (or, under a permit held
 * outside, charge a retry without a second slot), send, read status and headers, learn
 * from them, on a refusal cool down and retry or fail with the documented exception,
 * settle from the usage, release. This class makes every decision and closes every
 * attempt's {@link Lease}; the drivers ({@link BlockingCall}, {@link AsyncCall},
 * {@code dev.llmthrottle.call.reactor.ReactorCall}) only wait and send, each in its own
 * way. Whatever a step throws (a status read, a listener, the feedback), the attempt's
 * lease is closed before the exception goes on.
 *
 * <p>
 * One instance is one logical call over its attempts, used by one attempt at a time.
 *
 * @param <T> what one attempt returns
 */
public final class CallPipeline<T> {

	private final @Nullable ResponseFeedback feedback;

	private final TimeSource time;

	private final @Nullable LlmProvider provider;

	private final Partition partition;

	private final Cost cost;

	private final Priority priority;

	private final @Nullable Permit outer;

	private final CallShape<T> shape;

	private final long startedAt;

	private volatile int attempt;

	private volatile @Nullable Throwable previous;

	/**
	 * @param feedback reads the provider's answers, may be {@code null} (nothing is
	 * learnt or retried)
	 * @param time the engine's time source, for every wait
	 * @param provider the provider, may be {@code null} when only the partition is known
	 * (nothing is learnt)
	 * @param partition where the call is admitted
	 * @param cost the estimate
	 * @param outer a permit of {@code partition} held outside (the call is then not
	 * admitted again), or {@code null}
	 * @param shape what the adapter says about its kind of call
	 */
	public CallPipeline(@Nullable ResponseFeedback feedback, TimeSource time, @Nullable LlmProvider provider,
			Partition partition, Cost cost, @Nullable Permit outer, CallShape<T> shape) {
		this(feedback, time, provider, partition, cost, Priority.DEFAULT, outer, shape);
	}

	/**
	 * A pipeline whose attempts wait in the lane of {@code priority}, see
	 * {@link #CallPipeline(ResponseFeedback, TimeSource, LlmProvider, Partition, Cost, Permit, CallShape)}.
	 */
	public CallPipeline(@Nullable ResponseFeedback feedback, TimeSource time, @Nullable LlmProvider provider,
			Partition partition, Cost cost, Priority priority, @Nullable Permit outer, CallShape<T> shape) {
		this.priority = priority;
		this.feedback = feedback;
		this.time = time;
		this.provider = provider;
		this.partition = partition;
		this.cost = cost;
		this.outer = (outer != null && outer.partition() == partition) ? outer : null;
		this.shape = shape;
		this.startedAt = time.nanoTime();
	}

	public Partition partition() {
		return this.partition;
	}

	public Cost cost() {
		return this.cost;
	}

	/** The lane each attempt waits in for admission. */
	public Priority priority() {
		return this.priority;
	}

	public TimeSource time() {
		return this.time;
	}

	public CallShape<T> shape() {
		return this.shape;
	}

	/** The provider's name (the partition's when no provider is known). */
	public String providerName() {
		return this.partition.provider();
	}

	/**
	 * Whether the call runs under a permit held outside, so that it is not admitted
	 * again.
	 */
	public boolean isUnderOuter() {
		return this.outer != null;
	}

	/** The number of the attempt about to start or running, 1 for the first. */
	public int attempt() {
		return Math.max(1, this.attempt);
	}

	/**
	 * Starts the next attempt. Under a permit held outside, a retry is a request too and
	 * keeps to the rates: the answer is how long until one more request fits (zero:
	 * charged now, no second slot).
	 */
	public Duration begin() {
		int number = this.attempt + 1;
		this.attempt = number;
		if (this.outer == null || number == 1) {
			return Duration.ZERO;
		}
		return this.partition.tryCharge(Cost.oneRequest());
	}

	/**
	 * Charges the retry again after waiting what {@link #begin} said: zero when it is
	 * charged.
	 */
	public Duration chargeAgain() {
		return this.partition.tryCharge(Cost.oneRequest());
	}

	/** The lease of the attempt under an outer permit. */
	public Lease outerLease() {
		return Lease.under(this.outer);
	}

	/** The lease of an attempt admitted with its own {@code permit}. */
	public Lease lease(Permit permit) {
		return Lease.owning(permit);
	}

	/**
	 * Admission failed (rejected, or the wait was interrupted): the error to surface,
	 * with the earlier failure.
	 */
	public Throwable admissionFailed(Throwable error) {
		return suppressing(error, this.previous);
	}

	/** The exception for an interrupted wait; the thread's flag is set again. */
	public Throwable interrupted(InterruptedException ex, boolean waitingToRetry) {
		Thread.currentThread().interrupt();
		return suppressing(this.shape.interrupted(ex, waitingToRetry), this.previous);
	}

	/** Decides what follows an attempt that returned {@code result}. */
	public Step<T> onResult(Lease lease, T result) {
		Reply reply;
		try {
			reply = this.shape.reply(result);
		}
		catch (Throwable ex) {
			lease.failedAfterSend();
			discard(result);
			return new Step.Fail<>(ex);
		}
		if (reply.isSuccess()) {
			try {
				if (this.feedback != null && this.provider != null && !reply.headers().isEmpty()) {
					this.feedback.onSuccess(this.provider, this.partition, reply.headers());
				}
				return new Step.Done<>(this.shape.deliver(result, lease));
			}
			catch (Throwable ex) {
				lease.failedAfterSend();
				discard(result);
				return new Step.Fail<>(ex);
			}
		}
		return onErrorReply(lease, reply, result, null);
	}

	/** Decides what follows an attempt that failed with {@code error}. */
	public Step<T> onFailure(Lease lease, Throwable error) {
		CallShape.Failure failure;
		try {
			failure = this.shape.failure(error);
		}
		catch (Throwable ex) {
			error.addSuppressed(ex);
			failure = CallShape.Failure.OTHER;
		}
		if (failure instanceof CallShape.Failure.Response response && this.feedback != null && this.provider != null) {
			return onErrorReply(lease, response.reply(), null, error);
		}
		lease.failedAfterSend();
		if (failure instanceof CallShape.Failure.Transport && this.feedback != null && this.provider != null) {
			try {
				Optional<Duration> backoff = this.feedback.onTransportError(this.provider, this.partition, attempt(),
						elapsed());
				if (backoff.isPresent()) {
					return retry(backoff.get(), error);
				}
			}
			catch (Throwable ex) {
				error.addSuppressed(ex);
			}
		}
		return fail(error);
	}

	/**
	 * An attempt was cancelled after it was sent (or may have been): the estimate stands.
	 */
	public void onCancel(Lease lease) {
		lease.failedAfterSend();
	}

	/**
	 * What an attempt produced reached a caller that had already gone (it cancelled as
	 * the result arrived): {@code result} (as {@link #onResult} handed it over) is freed
	 * through the shape, which settles a lease tied to its body, and the lease is closed
	 * if it is still open (the estimate stands). Exactly once either way.
	 */
	public void dropped(Lease lease, @Nullable T result) {
		discard(result);
		lease.failedAfterSend();
	}

	/**
	 * An attempt that returned nothing (an empty publisher): sent, the estimate stands.
	 */
	public Step<T> onEmpty(Lease lease) {
		lease.settled(null);
		return new Step.Done<>(null);
	}

	private Step<T> onErrorReply(Lease lease, Reply reply, T result, Throwable error) {
		CallVerdict verdict;
		try {
			if (this.feedback == null || this.provider == null) {
				verdict = new CallVerdict.GiveUp();
			}
			else {
				// feedback first: the cooldown must be in force before the released slot
				// lets a waiter in
				verdict = this.feedback.onError(this.provider, this.partition, reply.status(), reply.headers(),
						reply.body(), attempt(), elapsed());
			}
		}
		catch (Throwable ex) {
			lease.refused(OverloadAnswers.isOverload(reply.status(), reply.body()));
			discard(result);
			if (error != null) {
				error.addSuppressed(ex);
				return fail(error);
			}
			return fail(ex);
		}
		lease.refused(OverloadAnswers.isOverload(reply.status(), reply.body()));
		if (verdict instanceof CallVerdict.Retry retry) {
			discard(result);
			Duration delay = retry.delay();
			if (this.outer != null) {
				Duration cooldown = this.partition.cooldownRemaining();
				delay = (cooldown.compareTo(delay) > 0) ? cooldown : delay;
			}
			else if (retry.cooldown()) {
				delay = Duration.ZERO; // admission waits out the partition's cooldown
			}
			return retry(delay, (error != null) ? error : null);
		}
		if (verdict instanceof CallVerdict.Fail fail) {
			discard(result);
			return fail((error != null) ? withCause(fail.error(), error) : fail.error());
		}
		if (error != null) {
			this.shape.passedOn(error);
			return fail(error);
		}
		try {
			return new Step.Done<>(this.shape.giveUp(result, reply, attempt()));
		}
		catch (Throwable ex) {
			discard(result);
			return fail(ex);
		}
	}

	private Step<T> retry(Duration delay, Throwable cause) {
		if (cause != null) {
			this.previous = cause;
		}
		return new Step.Retry<>(delay.isNegative() ? Duration.ZERO : delay);
	}

	private Step<T> fail(Throwable error) {
		return new Step.Fail<>(suppressing(error, this.previous));
	}

	private void discard(T result) {
		if (result == null) {
			return;
		}
		try {
			this.shape.discard(result);
		}
		catch (RuntimeException ex) {
			// freeing a response we drop must not decide the call's outcome
		}
	}

	private Duration elapsed() {
		return Duration.ofNanos(Math.max(0, this.time.nanoTime() - this.startedAt));
	}

	private static Throwable withCause(RuntimeException error, Throwable cause) {
		if (error.getCause() == null) {
			try {
				error.initCause(cause);
			}
			catch (IllegalStateException ex) {
				error.addSuppressed(cause);
			}
		}
		return error;
	}

	/** {@code delay} in nanoseconds, saturated instead of overflowing. */
	public static long nanos(Duration delay) {
		if (delay.isNegative()) {
			return 0;
		}
		return (delay.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) ? Long.MAX_VALUE : delay.toNanos();
	}

	static Throwable suppressing(Throwable failure, Throwable earlier) {
		if (earlier != null && earlier != failure) {
			boolean already = false;
			for (Throwable s : failure.getSuppressed()) {
				already |= (s == earlier);
			}
			if (!already) {
				failure.addSuppressed(earlier);
			}
		}
		return failure;
	}

}
