package dev.llmthrottle.autoconfigure.aop;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

import org.aopalliance.intercept.MethodInvocation;

import dev.llmthrottle.autoconfigure.aop.FailedAttempts.Outcome;
import dev.llmthrottle.autoconfigure.aop.ThrottledOperation.Admission;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Permit;

/**
 * One call of an {@code @LlmThrottled} method returning a {@code CompletionStage}, over its attempts. Each attempt
 * is admitted asynchronously, the method is invoked once the permit is granted, and the permit is held until the
 * returned stage completes. A failure carrying the provider's response is fed back ({@link FailedAttempts}); a
 * retry waits on the engine's time source (no thread is parked) and is then admitted again from the common
 * asynchronous pool, never on the time source's own thread.
 *
 * <p>
 * Cancelling the caller's future withdraws whatever the call is waiting for at that moment: its place in the
 * admission queue, or the pause before the next attempt. A permit granted in the instant of cancellation is
 * abandoned; one already in use is released when the method's stage completes.
 */
final class CompletionStageCall {

	private final ThrottledOperation operation;

	private final MethodInvocation invocation;

	private final Admission admission;

	private final CurrentAdmission current;

	private final TimeSource time;

	private final FailedAttempts failures;

	private final long startedAt;

	private final CompletableFuture<Object> result = new CompletableFuture<>();

	private volatile Runnable withdraw = () -> {
	};

	CompletionStageCall(ThrottledOperation operation, MethodInvocation invocation, Admission admission,
			CurrentAdmission current, TimeSource time, FailedAttempts failures) {
		this.operation = operation;
		this.invocation = invocation;
		this.admission = admission;
		this.current = current;
		this.time = time;
		this.failures = failures;
		this.startedAt = time.nanoTime();
	}

	/** Starts the first attempt; the returned future completes with the call. */
	CompletableFuture<Object> start() {
		this.result.whenComplete((value, ex) -> {
			if (this.result.isCancelled()) {
				this.withdraw.run();
			}
		});
		attempt(1, null);
		return this.result;
	}

	private void attempt(int attempt, Throwable previous) {
		if (this.result.isDone()) {
			return; // cancelled during the pause
		}
		CompletableFuture<Permit> admitting = this.admission.partition().acquireAsync(this.admission.cost());
		waitFor(() -> admitting.cancel(false));
		BiConsumer<Permit, Throwable> onAdmission = (permit, failure) -> {
			if (failure != null) {
				Throwable cause = LlmThrottledInterceptor.unwrap(failure);
				this.result.completeExceptionally(FailedAttempts.suppressing(cause, previous));
			}
			else if (this.result.isDone()) {
				permit.abandon(); // the caller cancelled as the permit was granted
			}
			else {
				invoke(permit, attempt);
			}
		};
		if (admitting.isDone()) {
			admitting.whenComplete(onAdmission);
		}
		else {
			// Granted by whoever frees room (another caller or the throttle's timer): run the method elsewhere.
			admitting.whenCompleteAsync(onAdmission);
		}
	}

	@SuppressWarnings("try") // the scope is only closed
	private void invoke(Permit permit, int attempt) {
		CompletionStage<?> stage;
		try (CurrentAdmission.Scope scope = this.current.enter(permit)) {
			stage = (CompletionStage<?>) LlmThrottledInterceptor.once(this.invocation).proceed();
		}
		catch (Throwable ex) {
			failed(permit, ex, attempt);
			return;
		}
		if (stage == null) {
			permit.release(null);
			this.result.complete(null);
			return;
		}
		stage.whenComplete((value, ex) -> {
			if (ex != null) {
				failed(permit, ex, attempt);
			}
			else {
				permit.release(null);
				this.result.complete(value);
			}
		});
	}

	private void failed(Permit permit, Throwable failure, int attempt) {
		Outcome outcome = LlmThrottledInterceptor.isRetriable(this.invocation)
				? this.failures.onFailure(this.operation.provider(), permit, failure, attempt,
						LlmThrottledInterceptor.elapsed(this.time, this.startedAt))
				: Outcome.passOn(failure);
		permit.release(outcome.actual());
		if (!outcome.retries() || this.result.isDone()) {
			this.result.completeExceptionally(outcome.error());
			return;
		}
		Duration delay = outcome.retryAfter();
		if (delay.isZero() || delay.isNegative()) {
			attempt(attempt + 1, failure);
			return;
		}
		TimeSource.Cancellable pause = this.time.schedule(
				() -> CompletableFuture.runAsync(() -> attempt(attempt + 1, failure)), delay.toNanos());
		waitFor(pause::cancel);
	}

	/** Records what a cancellation must withdraw now, and withdraws it at once if the caller already cancelled. */
	private void waitFor(Runnable withdraw) {
		this.withdraw = withdraw;
		if (this.result.isCancelled()) {
			withdraw.run();
		}
	}

}
