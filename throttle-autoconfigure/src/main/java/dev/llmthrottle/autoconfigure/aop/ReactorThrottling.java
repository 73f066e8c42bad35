package dev.llmthrottle.autoconfigure.aop;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInvocation;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

import org.springframework.core.ReactiveAdapter;

import dev.llmthrottle.autoconfigure.aop.FailedAttempts.Outcome;
import dev.llmthrottle.autoconfigure.aop.ThrottledOperation.Admission;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.Permit;

/**
 * The reactive half of {@link LlmThrottledInterceptor}, in its own class so that Reactor stays optional: loaded only
 * when Reactor is present.
 *
 * <p>
 * Each subscription is admitted on its own, without blocking: {@link AdmissionMono} waits for the permit, then the
 * method is invoked (a fresh invocation per attempt) and its publisher subscribed with the permit in the Reactor
 * context under {@link CurrentAdmission#CONTEXT_KEY}, so that HTTP filters downstream do not admit the call again.
 * {@code usingWhen} releases the permit when the result completes, fails or is cancelled; a {@code Flux} holds it
 * until the stream ends. A subscription that already runs inside a permit of the same partition is not admitted
 * (nor retried) twice.
 *
 * <p>
 * A failure that carries the provider's response is fed back ({@link FailedAttempts}) before the permit is
 * released; a retry then waits on the engine's time source (a timer, no thread parked), hops to the scheduler and
 * subscribes a new attempt, which is admitted again. A {@code Flux} is retried only when it failed before its first
 * element: what was delivered cannot be taken back.
 */
final class ReactorThrottling {

	private final Supplier<CurrentAdmission> currentAdmission;

	private final Supplier<TimeSource> time;

	private final FailedAttempts failures;

	private final Scheduler scheduler;

	ReactorThrottling(Supplier<CurrentAdmission> currentAdmission, Supplier<TimeSource> time,
			FailedAttempts failures) {
		this(currentAdmission, time, failures, Schedulers.parallel());
	}

	ReactorThrottling(Supplier<CurrentAdmission> currentAdmission, Supplier<TimeSource> time, FailedAttempts failures,
			Scheduler scheduler) {
		this.currentAdmission = currentAdmission;
		this.time = time;
		this.failures = failures;
		this.scheduler = scheduler;
	}

	Object invoke(ThrottledOperation operation, MethodInvocation invocation, ReactiveAdapter adapter) {
		Object[] arguments = invocation.getArguments();
		Publisher<?> throttled;
		if (adapter.isMultiValue()) {
			throttled = Flux.deferContextual((context) -> {
				Admission admission = operation.admission(arguments);
				if (isHeld(context, admission)) {
					return Flux.from(invokeOnce(invocation, null, adapter));
				}
				return new Call(operation, invocation, adapter, admission).flux(1, null);
			});
		}
		else {
			throttled = Mono.deferContextual((context) -> {
				Admission admission = operation.admission(arguments);
				if (isHeld(context, admission)) {
					return Mono.from(invokeOnce(invocation, null, adapter));
				}
				return new Call(operation, invocation, adapter, admission).mono(1, null);
			});
		}
		return adapter.fromPublisher(throttled);
	}

	/** Invokes the method (again, for each attempt) under {@code permit} and adapts its result. */
	@SuppressWarnings("try") // the scope is only closed
	private Publisher<?> invokeOnce(MethodInvocation invocation, Permit permit, ReactiveAdapter adapter) {
		Object result;
		CurrentAdmission current = this.currentAdmission.get();
		try (CurrentAdmission.Scope scope = (permit != null) ? current.enter(permit) : null) {
			result = LlmThrottledInterceptor.once(invocation).proceed();
		}
		catch (Throwable ex) {
			return Mono.error(ex);
		}
		return (result != null) ? adapter.toPublisher(result) : Mono.empty();
	}

	private static boolean isHeld(ContextView context, Admission admission) {
		Object held = context.getOrDefault(CurrentAdmission.CONTEXT_KEY, null);
		return held instanceof Permit permit && !permit.isReleased() && permit.partition() == admission.partition();
	}

	/** Releases as sent: with {@code actual} after a refusal, else keeping the estimate (it may have been sent). */
	private static Mono<Void> release(Permit permit, Cost actual) {
		return Mono.fromRunnable(() -> permit.release(actual));
	}

	/** One subscription's call over its attempts. */
	private final class Call {

		private final ThrottledOperation operation;

		private final MethodInvocation invocation;

		private final ReactiveAdapter adapter;

		private final Admission admission;

		private final TimeSource time;

		private final long startedAt;

		Call(ThrottledOperation operation, MethodInvocation invocation, ReactiveAdapter adapter, Admission admission) {
			this.operation = operation;
			this.invocation = invocation;
			this.adapter = adapter;
			this.admission = admission;
			this.time = ReactorThrottling.this.time.get();
			this.startedAt = this.time.nanoTime();
		}

		Mono<Object> mono(int number, Throwable previous) {
			return Mono.defer(() -> {
				Attempt attempt = new Attempt(number);
				return Mono.usingWhen(admit(previous),
						(permit) -> Mono.<Object>from(invokeOnce(this.invocation, permit, this.adapter))
							.doOnError((error) -> attempt.failed(permit, error))
							.contextWrite((ctx) -> ctx.put(CurrentAdmission.CONTEXT_KEY, permit)),
						(permit) -> release(permit, null), (permit, error) -> release(permit, attempt.actual()),
						(permit) -> release(permit, null))
					.onErrorResume((error) -> attempt.retries()
							? pause(attempt.retryAfter()).then(mono(number + 1, error))
							: Mono.error(attempt.error(error)));
			});
		}

		Flux<Object> flux(int number, Throwable previous) {
			return Flux.defer(() -> {
				Attempt attempt = new Attempt(number);
				return Flux.usingWhen(admit(previous),
						(permit) -> Flux.<Object>from(invokeOnce(this.invocation, permit, this.adapter))
							.doOnNext((element) -> attempt.emitted())
							.doOnError((error) -> attempt.failed(permit, error))
							.contextWrite((ctx) -> ctx.put(CurrentAdmission.CONTEXT_KEY, permit)),
						(permit) -> release(permit, null), (permit, error) -> release(permit, attempt.actual()),
						(permit) -> release(permit, null))
					.onErrorResume((error) -> attempt.retries()
							? pause(attempt.retryAfter()).thenMany(flux(number + 1, error))
							: Flux.error(attempt.error(error)));
			});
		}

		private Mono<Permit> admit(Throwable previous) {
			Mono<Permit> admit = new AdmissionMono(
					() -> this.admission.partition().acquireAsync(this.admission.cost()),
					ReactorThrottling.this.scheduler);
			return (previous != null) ? admit.doOnError((error) -> FailedAttempts.suppressing(error, previous))
					: admit;
		}

		/** Completes after {@code delay} on the engine's time source, on the scheduler; cancelling withdraws it. */
		private Mono<Void> pause(Duration delay) {
			if (delay.isZero() || delay.isNegative()) {
				return Mono.empty();
			}
			return Mono.create((sink) -> {
				TimeSource.Cancellable task = this.time.schedule(() -> deliver(sink::success), delay.toNanos());
				sink.onCancel(task::cancel);
			});
		}

		private void deliver(Runnable task) {
			try {
				ReactorThrottling.this.scheduler.schedule(task);
			}
			catch (RejectedExecutionException ex) {
				task.run();
			}
		}

		/** What one attempt learnt from its failure, read when its permit is released and when it ends. */
		private final class Attempt {

			private final int number;

			private volatile boolean emitted;

			private volatile Outcome outcome;

			Attempt(int number) {
				this.number = number;
			}

			void emitted() {
				if (!this.emitted) {
					this.emitted = true;
				}
			}

			void failed(Permit permit, Throwable error) {
				this.outcome = (this.emitted || !LlmThrottledInterceptor.isRetriable(Call.this.invocation))
						? Outcome.passOn(error)
						: ReactorThrottling.this.failures.onFailure(Call.this.operation.provider(), permit, error,
								this.number, LlmThrottledInterceptor.elapsed(Call.this.time, Call.this.startedAt));
			}

			Cost actual() {
				Outcome current = this.outcome;
				return (current != null) ? current.actual() : null;
			}

			boolean retries() {
				Outcome current = this.outcome;
				return current != null && current.retries();
			}

			Duration retryAfter() {
				return this.outcome.retryAfter();
			}

			/** What to surface instead of retrying: the attempt's verdict, or the error itself (a rejection). */
			Throwable error(Throwable error) {
				Outcome current = this.outcome;
				return (current != null) ? current.error() : error;
			}

		}

	}

}
