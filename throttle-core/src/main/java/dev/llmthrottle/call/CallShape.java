package dev.llmthrottle.call;

/**
 * What an adapter tells the {@link CallPipeline} about its kind of call: how to read a
 * result and a failure, how to hand a success over (settling the lease when its body has
 * been read), and what to do with an answer that is not handed over. Adapters translate;
 * the pipeline decides. Implementations must not close a lease except in
 * {@link #deliver}.
 *
 * @param <T> what one attempt returns (an HTTP response, a method's return value)
 */
public interface CallShape<T> {

	/**
	 * Reads a returned result: a success, or an error response with the start of its
	 * body. May throw (a status that cannot be read): the attempt then failed after
	 * sending.
	 */
	Reply reply(T result) throws Exception;

	/**
	 * What a failure of the attempt says: by default, nothing the pipeline can act on.
	 */
	default Failure failure(Throwable error) {
		return Failure.OTHER;
	}

	/**
	 * Hands a successful result over to the caller and closes {@code lease} with
	 * {@link Lease#settled} now or when its body ends (on every path, also when it is
	 * never read to the end).
	 */
	T deliver(T result, Lease lease) throws Exception;

	/**
	 * What the caller gets when the pipeline gives up on an error response (attempts or
	 * time exhausted).
	 */
	default T giveUp(T result, Reply reply, int attempts) {
		return result;
	}

	/**
	 * Frees a result that is not handed over (a refused response before its retry). Must
	 * not throw.
	 */
	default void discard(T result) {
	}

	/**
	 * A failure carrying the provider's response was passed on as it is (so an enclosing
	 * layer does not act again).
	 */
	default void passedOn(Throwable error) {
	}

	/**
	 * The exception for a caller interrupted while waiting (for admission, or to retry);
	 * the flag is set again.
	 */
	Throwable interrupted(InterruptedException ex, boolean waitingToRetry);

	/** What a failed attempt says. */
	sealed interface Failure {

		/** Nothing the pipeline acts on: pass it on (the estimate is charged). */
		Failure OTHER = new Other();

		/**
		 * A transport failure (connection reset, timeout): retried with backoff while the
		 * policy allows.
		 */
		Failure TRANSPORT = new Transport();

		/** The failure carries the provider's response: treated as that response. */
		static Failure response(Reply reply) {
			return new Response(reply);
		}

		/** Passed on unchanged. */
		record Other() implements Failure {
		}

		/** Worth a retry with backoff. */
		record Transport() implements Failure {
		}

		/** Carries the provider's error response. */
		record Response(Reply reply) implements Failure {
		}

	}

}
