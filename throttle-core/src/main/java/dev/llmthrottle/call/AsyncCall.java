package dev.llmthrottle.call;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.Permit;

/**
 * Runs a {@link CallPipeline} as a {@code CompletableFuture}, parking no thread:
 * admission waits in the queue, a wait before a retry is a timer on the engine's time
 * source. Whatever grants a permit after a wait (another caller's release, the engine's
 * timer thread) only hands the attempt to {@code executor}, where it is sent.
 *
 * <p>
 * Cancelling the returned future withdraws what the call waits for at that moment: its
 * place in the queue or the timer before the next attempt. A permit granted in the
 * instant of cancellation is closed as not sent; an attempt already sent is closed when
 * its stage completes, and a result it still delivers then is freed through the
 * {@link CallShape} (its lease closed), since no caller will.
 */
public final class AsyncCall<T> {

	/** Sends one attempt under its lease. */
	@FunctionalInterface
	public interface Sender<T> {

		CompletionStage<T> send(Lease lease) throws Throwable;

	}

	private final CallPipeline<T> call;

	private final Sender<T> sender;

	private final Executor executor;

	private final CompletableFuture<T> result = new CompletableFuture<>();

	private final AtomicReference<Runnable> withdraw = new AtomicReference<>(() -> {
	});

	private AsyncCall(CallPipeline<T> call, Sender<T> sender, Executor executor) {
		this.call = call;
		this.sender = sender;
		this.executor = executor;
	}

	/**
	 * Starts the call; the future completes with its value or its documented exception.
	 */
	public static <T> CompletableFuture<T> run(CallPipeline<T> call, Sender<T> sender, Executor executor) {
		AsyncCall<T> async = new AsyncCall<>(call, sender, executor);
		async.result.whenComplete((value, ex) -> {
			if (async.result.isCancelled()) {
				async.withdraw.get().run();
			}
		});
		async.next();
		return async.result;
	}

	private void next() {
		if (this.result.isDone()) {
			return; // cancelled while waiting
		}
		try {
			if (this.call.isUnderOuter()) {
				charge(this.call.begin());
				return;
			}
			this.call.begin();
			CompletableFuture<Permit> admitting = this.call.partition()
				.acquireAsync(this.call.cost(), this.call.priority());
			waitFor(() -> admitting.cancel(false));
			BiConsumer<Permit, Throwable> onAdmission = (permit, failure) -> {
				if (failure != null) {
					this.result.completeExceptionally(this.call.admissionFailed(unwrap(failure)));
				}
				else if (this.result.isDone()) {
					permit.abandon(); // the caller cancelled as the permit was granted
				}
				else {
					send(this.call.lease(permit));
				}
			};
			if (admitting.isDone()) {
				admitting.whenComplete(onAdmission);
			}
			else {
				admitting.whenComplete(
						(permit, failure) -> dispatch(() -> onAdmission.accept(permit, failure), (refused) -> {
							if (permit != null) {
								permit.abandon();
							}
							this.result.completeExceptionally(refused);
						}));
			}
		}
		catch (Throwable ex) {
			this.result.completeExceptionally(this.call.admissionFailed(ex));
		}
	}

	private void charge(Duration wait) {
		if (wait.isZero()) {
			send(this.call.outerLease());
			return;
		}
		later(wait, () -> charge(this.call.chargeAgain()));
	}

	private void send(Lease lease) {
		CompletionStage<T> stage;
		try {
			stage = this.sender.send(lease);
		}
		catch (Throwable ex) {
			follow(lease, this.call.onFailure(lease, ex));
			return;
		}
		if (stage == null) {
			follow(lease, this.call.onEmpty(lease));
			return;
		}
		waitFor(() -> {
			// the attempt is out: cancelling its stage ends it, and its completion closes
			// the lease
			try {
				stage.toCompletableFuture().cancel(true);
			}
			catch (UnsupportedOperationException ex) {
				// a stage that cannot be cancelled closes the lease when it completes
			}
		});
		stage.whenComplete((value, ex) -> follow(lease,
				(ex != null) ? this.call.onFailure(lease, ex) : this.call.onResult(lease, value)));
	}

	private void follow(Lease lease, Step<T> step) {
		if (step instanceof Step.Done<T> done) {
			if (!this.result.complete(done.value())) {
				// the caller cancelled as the result arrived: nobody else will free it
				this.call.dropped(lease, done.value());
			}
		}
		else if (step instanceof Step.Fail<T> fail) {
			this.result.completeExceptionally(fail.error());
		}
		else if (this.result.isDone()) {
			return;
		}
		else {
			Duration delay = ((Step.Retry<T>) step).delay();
			if (delay.isZero()) {
				next();
			}
			else {
				later(delay, this::next);
			}
		}
	}

	private void later(Duration delay, Runnable task) {
		TimeSource.Cancellable timer = this.call.time()
			.schedule(() -> dispatch(task, this.result::completeExceptionally), CallPipeline.nanos(delay));
		waitFor(timer::cancel);
	}

	/**
	 * Runs {@code task} on the executor, never on the thread that woke it;
	 * {@code refused} when it cannot.
	 */
	private void dispatch(Runnable task, java.util.function.Consumer<Throwable> refused) {
		try {
			this.executor.execute(task);
		}
		catch (RejectedExecutionException ex) {
			refused.accept(ex);
		}
	}

	/**
	 * Records what a cancellation must withdraw now, and withdraws it at once if the
	 * caller already cancelled.
	 */
	private void waitFor(Runnable withdraw) {
		this.withdraw.set(withdraw);
		if (this.result.isCancelled()) {
			withdraw.run();
		}
	}

	static Throwable unwrap(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

}
