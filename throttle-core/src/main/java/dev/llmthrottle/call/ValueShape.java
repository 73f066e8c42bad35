package dev.llmthrottle.call;

import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.llmthrottle.core.Cost;
import org.jspecify.annotations.Nullable;

/**
 * The shape of a call whose result is a plain value (a method's return value, a
 * lambda's): a returned value is a success sent and settled (to the usage an HTTP adapter
 * underneath reported to the permit, else to the usage the value itself carries when
 * {@code returnedUsage} can read it, else the estimate); a failure is acted on only when
 * {@code failureReader} finds the provider's response in it (an SDK's or HTTP client's
 * exception). Shared by the annotation advisor and the programmatic API.
 *
 * @param <T> the value's type
 */
public final class ValueShape<T> implements CallShape<T> {

	private final Function<Throwable, @Nullable Reply> failureReader;

	private final Consumer<Throwable> passedOn;

	private final BiFunction<InterruptedException, Boolean, Throwable> interrupted;

	private final Function<? super T, @Nullable Cost> returnedUsage;

	/**
	 * @param failureReader the provider's response a failure carries, or {@code null};
	 * must not throw
	 * @param passedOn told of a failure carrying a response that was passed on as it is
	 * @param interrupted the exception for an interrupted wait (the flag: whether waiting
	 * to retry)
	 */
	public ValueShape(Function<Throwable, @Nullable Reply> failureReader, Consumer<Throwable> passedOn,
			BiFunction<InterruptedException, Boolean, Throwable> interrupted) {
		this(failureReader, passedOn, interrupted, (value) -> null);
	}

	/**
	 * @param failureReader the provider's response a failure carries, or {@code null};
	 * must not throw
	 * @param passedOn told of a failure carrying a response that was passed on as it is
	 * @param interrupted the exception for an interrupted wait (the flag: whether waiting
	 * to retry)
	 * @param returnedUsage the usage a returned value carries, or {@code null}; asked
	 * only when no HTTP adapter underneath reported one to the permit; must not throw
	 */
	public ValueShape(Function<Throwable, @Nullable Reply> failureReader, Consumer<Throwable> passedOn,
			BiFunction<InterruptedException, Boolean, Throwable> interrupted,
			Function<? super T, @Nullable Cost> returnedUsage) {
		this.failureReader = failureReader;
		this.passedOn = passedOn;
		this.interrupted = interrupted;
		this.returnedUsage = returnedUsage;
	}

	@Override
	public Reply reply(T result) {
		return Reply.SUCCESS;
	}

	@Override
	public Failure failure(Throwable error) {
		Reply reply = this.failureReader.apply(error);
		return (reply != null && !reply.isSuccess()) ? Failure.response(reply) : Failure.OTHER;
	}

	@Override
	public T deliver(T result, Lease lease) {
		Cost actual = (lease.permit().reportedActual() == null) ? returned(result) : null;
		lease.settled(actual);
		return result;
	}

	private @Nullable Cost returned(T result) {
		try {
			return this.returnedUsage.apply(result);
		}
		catch (RuntimeException ex) {
			// a reader that breaks its contract costs the truth, never the call
			return null;
		}
	}

	@Override
	public void passedOn(Throwable error) {
		this.passedOn.accept(error);
	}

	@Override
	public Throwable interrupted(InterruptedException ex, boolean waitingToRetry) {
		return this.interrupted.apply(ex, waitingToRetry);
	}

}
