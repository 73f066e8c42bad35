package dev.llmthrottle.call.reactor;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import dev.llmthrottle.call.CallPipeline;
import dev.llmthrottle.call.Lease;
import dev.llmthrottle.call.Step;
import dev.llmthrottle.core.TimeSource;

/**
 * Runs a {@link CallPipeline} on Reactor without blocking: admission is a subscription
 * that waits in the queue ({@link AdmissionMono}), every wait is a timer on the engine's
 * time source, and whatever follows a wait (a permit granted by another caller's release
 * or by the engine's timer thread, the end of a backoff) continues on {@code scheduler},
 * never on the thread that woke it. Cancelling withdraws the wait, or closes a sent
 * attempt's lease; a result its sender still emits after that is freed.
 */
public final class ReactorCall {

	private ReactorCall() {
	}

	/** The call as a {@code Mono}: each subscription runs it once, over its attempts. */
	public static <T> Mono<T> mono(CallPipeline<T> call, Function<Lease, ? extends Mono<T>> sender,
			Scheduler scheduler) {
		return Mono.defer(() -> attempt(call, sender, scheduler));
	}

	/**
	 * The call as a {@code Flux} holding its lease until the stream ends, fails or is
	 * cancelled. A failure before the first element is handled like a failed call (and
	 * may be retried); after it, what was delivered cannot be taken back, so the failure
	 * is passed on.
	 */
	public static <T> Flux<T> flux(CallPipeline<T> call, Function<Lease, ? extends Publisher<T>> sender,
			Scheduler scheduler) {
		return Flux.defer(() -> streamAttempt(call, sender, scheduler));
	}

	private static <T> Mono<T> attempt(CallPipeline<T> call, Function<Lease, ? extends Mono<T>> sender,
			Scheduler scheduler) {
		return lease(call, scheduler).flatMap((lease) -> {
			Mono<T> sent;
			try {
				sent = sender.apply(lease);
			}
			catch (Throwable ex) {
				sent = Mono.error(ex);
			}
			AtomicBoolean cancelled = new AtomicBoolean();
			return sent.map((result) -> afterCancel(call, lease, cancelled, call.onResult(lease, result)))
				.onErrorResume((error) -> Mono.just(call.onFailure(lease, error)))
				.switchIfEmpty(Mono.fromSupplier(() -> call.onEmpty(lease)))
				.doOnCancel(() -> {
					cancelled.set(true);
					call.onCancel(lease);
				});
		}).flatMap((step) -> {
			if (step instanceof Step.Done<T> done) {
				return Mono.justOrEmpty(done.value());
			}
			if (step instanceof Step.Fail<T> fail) {
				return Mono.error(fail.error());
			}
			return delay(call.time(), ((Step.Retry<T>) step).delay(), scheduler)
				.then(Mono.defer(() -> attempt(call, sender, scheduler)));
		});
	}

	/**
	 * A result that a sender still emits after the subscriber cancelled (a publisher that
	 * does not stop at once) goes nowhere: it is freed here, since no caller will.
	 */
	private static <T> Step<T> afterCancel(CallPipeline<T> call, Lease lease, AtomicBoolean cancelled, Step<T> step) {
		if (cancelled.get() && step instanceof Step.Done<T> done) {
			call.dropped(lease, done.value());
		}
		return step;
	}

	private static <T> Flux<T> streamAttempt(CallPipeline<T> call, Function<Lease, ? extends Publisher<T>> sender,
			Scheduler scheduler) {
		return lease(call, scheduler).flatMapMany((lease) -> {
			Publisher<T> sent;
			try {
				sent = sender.apply(lease);
			}
			catch (Throwable ex) {
				sent = Flux.error(ex);
			}
			AtomicBoolean emitted = new AtomicBoolean();
			return Flux.from((sent != null) ? sent : Flux.<T>empty())
				.doOnNext((element) -> emitted.set(true))
				.doOnComplete(() -> lease.settled(null))
				.doOnCancel(() -> call.onCancel(lease))
				.onErrorResume((error) -> {
					if (emitted.get()) {
						lease.failedAfterSend();
						return Flux.error(error);
					}
					Step<T> step = call.onFailure(lease, error);
					if (step instanceof Step.Retry<T> retry) {
						return delay(call.time(), retry.delay(), scheduler)
							.thenMany(Flux.defer(() -> streamAttempt(call, sender, scheduler)));
					}
					if (step instanceof Step.Done<T> done) {
						return Flux.just(done.value());
					}
					return Flux.error(((Step.Fail<T>) step).error());
				});
		});
	}

	/**
	 * The attempt's lease: its own admission, or (under an outer permit) a retry charged
	 * to the rates.
	 */
	private static Mono<Lease> lease(CallPipeline<?> call, Scheduler scheduler) {
		if (call.isUnderOuter()) {
			return Mono.defer(() -> charge(call, call.begin(), scheduler)).then(Mono.fromSupplier(call::outerLease));
		}
		return Mono.defer(() -> {
			call.begin();
			return new AdmissionMono(() -> call.partition().acquireAsync(call.cost(), call.priority()), scheduler)
				.onErrorMap(call::admissionFailed)
				.map(call::lease);
		});
	}

	private static Mono<Void> charge(CallPipeline<?> call, Duration wait, Scheduler scheduler) {
		if (wait.isZero()) {
			return Mono.empty();
		}
		return delay(call.time(), wait, scheduler).then(Mono.defer(() -> charge(call, call.chargeAgain(), scheduler)));
	}

	/**
	 * Completes after {@code delay} on the engine's time source, on {@code scheduler};
	 * cancelling withdraws it.
	 */
	static Mono<Void> delay(TimeSource time, Duration delay, Scheduler scheduler) {
		if (delay.isZero() || delay.isNegative()) {
			return Mono.empty();
		}
		return Mono.create((sink) -> {
			TimeSource.Cancellable task = time.schedule(() -> {
				try {
					scheduler.schedule(sink::success);
				}
				catch (RejectedExecutionException ex) {
					sink.error(ex);
				}
			}, CallPipeline.nanos(delay));
			sink.onCancel(task::cancel);
		});
	}

}
