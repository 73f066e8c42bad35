package dev.llmthrottle.autoconfigure.aop;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Supplier;

import dev.llmthrottle.call.CallPipeline;
import dev.llmthrottle.call.Reply;
import dev.llmthrottle.call.ValueShape;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * Builds the call pipeline of one {@code @LlmThrottled} invocation, with the shape that
 * reads a failed attempt as the HTTP adapters read a response: when the exception carries
 * the provider's response (an HTTP client's or an SDK's) the pipeline feeds it back and
 * follows the verdict; anything else is passed on unchanged. A success settles to the
 * usage an HTTP adapter underneath reported, else to the usage the returned value carries
 * ({@link ReturnedUsages}), else to the estimate.
 *
 * <p>
 * A failure learnt from and then passed on is remembered (by identity, weakly): when it
 * propagates through an enclosing {@code @LlmThrottled} method of another partition or
 * provider, it is not learnt from or retried again there. Without the exchange beans,
 * nothing is learnt or retried.
 */
final class FailedAttempts {

	private final Supplier<LlmProviders> providers;

	private final Supplier<ResponseFeedback> feedback;

	private final FailedResponses responses;

	private final ReturnedUsages returned;

	private final Set<Throwable> passedOn = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

	/**
	 * @param providers the providers, may supply {@code null} (then nothing is learnt or
	 * retried)
	 * @param feedback the response feedback, may supply {@code null}
	 * @param responses reads the provider's response out of an exception
	 * @param returned reads the usage out of a returned value, for a success no HTTP
	 * adapter underneath settled
	 */
	FailedAttempts(Supplier<LlmProviders> providers, Supplier<ResponseFeedback> feedback, FailedResponses responses,
			ReturnedUsages returned) {
		this.providers = providers;
		this.feedback = feedback;
		this.responses = responses;
		this.returned = returned;
	}

	/** The readers of the usage a returned value carries. */
	ReturnedUsages returned() {
		return this.returned;
	}

	/**
	 * The pipeline of one invocation admitted as {@code admission}, under {@code outer}
	 * when it is held.
	 */
	CallPipeline<Object> pipeline(ThrottledOperation operation, ThrottledOperation.Admission admission,
			dev.llmthrottle.core.admission.Permit outer, TimeSource time, boolean retriable) {
		LlmProviders providers = this.providers.get();
		return new CallPipeline<>(this.feedback.get(), time,
				(providers != null) ? providers.byName(operation.provider()).orElse(null) : null, admission.partition(),
				admission.cost(), operation.priority(), outer,
				new ValueShape<>((error) -> retriable ? read(error) : null,
						(error) -> this.passedOn.add(FailedResponses.unwrap(error)),
						(ex, waitingToRetry) -> interrupted(operation.provider(), ex, waitingToRetry),
						this.returned::cost));
	}

	/**
	 * The provider's response {@code error} carries, unless it was passed on already by
	 * an inner method.
	 */
	private Reply read(Throwable error) {
		if (this.passedOn.contains(FailedResponses.unwrap(error))) {
			return null;
		}
		FailedResponse response = this.responses.read(error);
		return (response != null) ? new Reply(response.status(), response.headers(), response.body()) : null;
	}

	private static AdmissionInterruptedException interrupted(String provider, InterruptedException ex,
			boolean waitingToRetry) {
		return waitingToRetry
				? new AdmissionInterruptedException(provider,
						"Provider '" + provider + "': interrupted while waiting to retry a failed call", ex)
				: new AdmissionInterruptedException(provider, ex);
	}

}
