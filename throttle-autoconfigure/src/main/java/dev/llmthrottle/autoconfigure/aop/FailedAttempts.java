package dev.llmthrottle.autoconfigure.aop;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Supplier;

import dev.llmthrottle.call.CallPipeline;
import dev.llmthrottle.call.CallShape;
import dev.llmthrottle.call.Lease;
import dev.llmthrottle.call.Reply;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * Builds the call pipeline of one {@code @LlmThrottled} invocation, with the shape that reads a failed attempt as
 * the HTTP adapters read a response: when the exception carries the provider's response (an HTTP client's or an
 * SDK's) the pipeline feeds it back and follows the verdict; anything else is passed on unchanged.
 *
 * <p>
 * A failure learnt from and then passed on is remembered (by identity, weakly): when it propagates through an
 * enclosing {@code @LlmThrottled} method of another partition or provider, it is not learnt from or retried again
 * there. Without the exchange beans, nothing is learnt or retried.
 */
final class FailedAttempts {

	private final Supplier<LlmProviders> providers;

	private final Supplier<ResponseFeedback> feedback;

	private final FailedResponses responses;

	private final Set<Throwable> passedOn = Collections
		.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

	/**
	 * @param providers the providers, may supply {@code null} (then nothing is learnt or retried)
	 * @param feedback the response feedback, may supply {@code null}
	 * @param responses reads the provider's response out of an exception
	 */
	FailedAttempts(Supplier<LlmProviders> providers, Supplier<ResponseFeedback> feedback, FailedResponses responses) {
		this.providers = providers;
		this.feedback = feedback;
		this.responses = responses;
	}

	/** The pipeline of one invocation admitted as {@code admission}, under {@code outer} when it is held. */
	CallPipeline<Object> pipeline(ThrottledOperation operation, ThrottledOperation.Admission admission,
			dev.llmthrottle.core.admission.Permit outer, TimeSource time, boolean retriable) {
		LlmProviders providers = this.providers.get();
		return new CallPipeline<>(this.feedback.get(), time,
				(providers != null) ? providers.byName(operation.provider()).orElse(null) : null,
				admission.partition(), admission.cost(), outer, new Shape(operation.provider(), retriable));
	}

	/** A method's results and failures as the pipeline reads them. */
	private final class Shape implements CallShape<Object> {

		private final String provider;

		private final boolean retriable;

		Shape(String provider, boolean retriable) {
			this.provider = provider;
			this.retriable = retriable;
		}

		@Override
		public Reply reply(Object result) {
			return Reply.SUCCESS;
		}

		@Override
		public Failure failure(Throwable error) {
			if (!this.retriable || FailedAttempts.this.passedOn.contains(FailedResponses.unwrap(error))) {
				return Failure.OTHER;
			}
			FailedResponse response = FailedAttempts.this.responses.read(error);
			return (response != null) ? Failure.response(new Reply(response.status(), response.headers(),
					response.body())) : Failure.OTHER;
		}

		@Override
		public Object deliver(Object result, Lease lease) {
			lease.settled(null); // it returned: it was sent, settle to what an HTTP adapter reported, else the estimate
			return result;
		}

		@Override
		public void passedOn(Throwable error) {
			FailedAttempts.this.passedOn.add(FailedResponses.unwrap(error));
		}

		@Override
		public Throwable interrupted(InterruptedException ex, boolean waitingToRetry) {
			return waitingToRetry ? new AdmissionInterruptedException(this.provider,
					"Provider '" + this.provider + "': interrupted while waiting to retry a failed call", ex)
					: new AdmissionInterruptedException(this.provider, ex);
		}

	}

}
