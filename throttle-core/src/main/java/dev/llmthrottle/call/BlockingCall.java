package dev.llmthrottle.call;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.Permit;

/**
 * Runs a {@link CallPipeline} on the calling thread: admission parks it (interruptibly,
 * for at most max-wait), each wait before a retry parks it on the engine's time source.
 * An interrupt withdraws whatever the thread waits for, sets the flag again and fails
 * with the shape's exception.
 */
public final class BlockingCall {

	private BlockingCall() {
	}

	/** Sends one attempt under its lease. */
	@FunctionalInterface
	public interface Sender<T> {

		T send(Lease lease) throws Throwable;

	}

	/** Runs the call to its end: the value, or the documented exception. */
	public static <T> T run(CallPipeline<T> call, Sender<T> sender) throws Throwable {
		for (;;) {
			Lease lease = admit(call);
			T result;
			Step<T> step;
			try {
				result = sender.send(lease);
			}
			catch (Throwable ex) {
				step = call.onFailure(lease, ex);
				result = null;
				if (step instanceof Step.Retry<T> retry) {
					pause(call, retry.delay());
					continue;
				}
				throw ((Step.Fail<T>) step).error();
			}
			step = call.onResult(lease, result);
			if (step instanceof Step.Done<T> done) {
				return done.value();
			}
			if (step instanceof Step.Fail<T> fail) {
				throw fail.error();
			}
			pause(call, ((Step.Retry<T>) step).delay());
		}
	}

	private static <T> Lease admit(CallPipeline<T> call) throws Throwable {
		if (call.isUnderOuter()) {
			for (Duration wait = call.begin(); !wait.isZero(); wait = call.chargeAgain()) {
				pause(call, wait);
			}
			return call.outerLease();
		}
		call.begin();
		Permit permit;
		try {
			permit = call.partition().acquire(call.cost(), call.priority());
		}
		catch (InterruptedException ex) {
			throw call.interrupted(ex, false);
		}
		catch (RuntimeException ex) {
			throw call.admissionFailed(ex);
		}
		return call.lease(permit);
	}

	/**
	 * Parks the calling thread for {@code delay} on the engine's time source,
	 * interruptibly.
	 */
	private static void pause(CallPipeline<?> call, Duration delay) throws Throwable {
		if (delay.isZero() || delay.isNegative()) {
			return;
		}
		CompletableFuture<Void> wake = new CompletableFuture<>();
		TimeSource.Cancellable task = call.time().schedule(() -> wake.complete(null), CallPipeline.nanos(delay));
		try {
			wake.get();
		}
		catch (InterruptedException ex) {
			task.cancel();
			throw call.interrupted(ex, true);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause()); // never completed
															// exceptionally
		}
	}

}
