package dev.llmthrottle.call.reactor;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;

import dev.llmthrottle.core.admission.Permit;

/**
 * A {@code Mono<Permit>} over an asynchronous admission that never leaks a permit.
 *
 * <p>
 * {@code Mono.fromFuture} is not enough: a permit granted at the moment the subscriber
 * cancels would be dropped and the slot and rate budget lost for good. Here each
 * subscription starts its own admission and owns the permit it produces until the permit
 * is handed downstream in {@code onNext}. The handover is a small state machine (waiting,
 * requested, ready, done, cancelled) moved by compare-and-set, so whichever of grant,
 * request and cancel comes last decides: a cancel before the grant withdraws the waiter
 * (the engine hands back a permit granted in the same instant); a grant after the cancel,
 * or a permit ready but never requested, is abandoned (it was never sent). Exactly one of
 * "delivered" and "abandoned" happens to each permit.
 *
 * <p>
 * A permit granted at once is delivered on the subscribing thread. One granted later is
 * delivered on {@code scheduler}, because the granting thread is whoever freed room
 * (another caller, or the throttle's single timer thread, which must not run application
 * code).
 */
final class AdmissionMono extends Mono<Permit> {

	private final Supplier<CompletableFuture<Permit>> admission;

	private final Scheduler scheduler;

	AdmissionMono(Supplier<CompletableFuture<Permit>> admission, Scheduler scheduler) {
		this.admission = admission;
		this.scheduler = scheduler;
	}

	@Override
	public void subscribe(CoreSubscriber<? super Permit> actual) {
		AdmissionSubscription subscription = new AdmissionSubscription(actual);
		actual.onSubscribe(subscription);
		CompletableFuture<Permit> future;
		try {
			future = this.admission.get();
		}
		catch (Throwable ex) {
			subscription.onAdmission(null, ex);
			return;
		}
		subscription.attach(future, this.scheduler);
	}

	static final class AdmissionSubscription implements Subscription {

		private static final int WAITING = 0;

		private static final int REQUESTED = 1;

		private static final int READY = 2;

		private static final int DONE = 3;

		private static final int CANCELLED = 4;

		private final CoreSubscriber<? super Permit> actual;

		private final AtomicInteger state = new AtomicInteger(WAITING);

		private volatile CompletableFuture<Permit> future;

		private volatile Permit value;

		AdmissionSubscription(CoreSubscriber<? super Permit> actual) {
			this.actual = actual;
		}

		void attach(CompletableFuture<Permit> future, Scheduler scheduler) {
			this.future = future;
			if (this.state.get() == CANCELLED) {
				future.cancel(false); // cancelled before the admission started; a late
										// grant is abandoned below
			}
			if (future.isDone()) {
				future.whenComplete(this::onAdmission);
			}
			else {
				future.whenComplete((permit, failure) -> deliverOn(scheduler, () -> onAdmission(permit, failure)));
			}
		}

		private static void deliverOn(Scheduler scheduler, Runnable task) {
			try {
				scheduler.schedule(task);
			}
			catch (RejectedExecutionException ex) {
				task.run();
			}
		}

		/** Called exactly once, with the permit or the failure of the admission. */
		void onAdmission(Permit permit, Throwable failure) {
			if (failure != null) {
				Throwable cause = (failure instanceof java.util.concurrent.CompletionException
						&& failure.getCause() != null) ? failure.getCause() : failure;
				for (;;) {
					int current = this.state.get();
					if (current == CANCELLED || current == DONE) {
						if (!(cause instanceof CancellationException)) {
							Operators.onErrorDropped(cause, this.actual.currentContext());
						}
						return;
					}
					if (this.state.compareAndSet(current, DONE)) {
						this.actual.onError(cause);
						return;
					}
				}
			}
			this.value = permit;
			for (;;) {
				int current = this.state.get();
				if (current == CANCELLED) {
					permit.abandon();
					return;
				}
				if (current == WAITING && this.state.compareAndSet(WAITING, READY)) {
					return;
				}
				if (current == REQUESTED && this.state.compareAndSet(REQUESTED, DONE)) {
					emit(permit);
					return;
				}
			}
		}

		@Override
		public void request(long n) {
			if (!Operators.validate(n)) {
				return;
			}
			for (;;) {
				int current = this.state.get();
				if (current == WAITING) {
					if (this.state.compareAndSet(WAITING, REQUESTED)) {
						return;
					}
				}
				else if (current == READY) {
					if (this.state.compareAndSet(READY, DONE)) {
						emit(this.value);
					}
					return;
				}
				else {
					return;
				}
			}
		}

		@Override
		public void cancel() {
			for (;;) {
				int current = this.state.get();
				if (current == DONE || current == CANCELLED) {
					return;
				}
				if (this.state.compareAndSet(current, CANCELLED)) {
					if (current == READY) {
						this.value.abandon(); // granted but never handed downstream
					}
					CompletableFuture<Permit> pending = this.future;
					if (pending != null) {
						pending.cancel(false); // withdraws the waiter; a grant racing
												// this is abandoned
					}
					return;
				}
			}
		}

		private void emit(Permit permit) {
			this.actual.onNext(permit);
			this.actual.onComplete();
		}

	}

}
