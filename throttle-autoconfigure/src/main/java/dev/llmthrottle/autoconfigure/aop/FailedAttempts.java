package dev.llmthrottle.autoconfigure.aop;

import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Supplier;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.exchange.CallVerdict;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * Decides what follows a failed attempt of an {@code @LlmThrottled} method, exactly as the HTTP filters do for a
 * response: when the exception carries the provider's response, it is fed to {@link ResponseFeedback#onError}
 * (which learns from the headers and, on a 429, cools the whole partition down) and its verdict is followed. A
 * refused call spent a request but no tokens, so its permit is to be released with {@link Cost#oneRequest()};
 * anything else keeps the estimate, as before.
 *
 * <p>
 * A failure learnt from and then passed on is remembered (by identity, weakly): when it propagates through an
 * enclosing {@code @LlmThrottled} method of another partition or provider, it is not learnt from or retried again
 * there. Never throws: a failure that cannot be read, or a context without the exchange beans, passes the failure
 * on unchanged.
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

	/**
	 * Feeds a failed attempt back and decides what follows. Call it before releasing the attempt's permit, so that
	 * a cooldown is in force before the permit lets anyone else in.
	 * @param provider the provider name
	 * @param permit the attempt's permit, still held
	 * @param failure what the method failed with
	 * @param attempt the attempt number, 1 for the first
	 * @param elapsed time since the call started
	 */
	Outcome onFailure(String provider, Permit permit, Throwable failure, int attempt, Duration elapsed) {
		try {
			Throwable cause = FailedResponses.unwrap(failure);
			FailedResponse response = this.passedOn.contains(cause) ? null : this.responses.read(failure);
			if (response == null) {
				return Outcome.passOn(failure);
			}
			ResponseFeedback feedback = this.feedback.get();
			LlmProviders providers = this.providers.get();
			Optional<LlmProvider> llm = (providers != null) ? providers.byName(provider) : Optional.empty();
			if (feedback == null || llm.isEmpty()) {
				return Outcome.passOn(failure);
			}
			CallVerdict verdict = feedback.onError(llm.get(), permit.partition(), response.status(),
					response.headers(), response.body(), attempt, elapsed);
			if (verdict instanceof CallVerdict.Retry retry) {
				// A partition-wide cooldown is waited out by admission itself; a backoff is this call's own.
				return new Outcome(Cost.oneRequest(), failure, retry.cooldown() ? Duration.ZERO : retry.delay());
			}
			if (verdict instanceof CallVerdict.Fail fail) {
				return new Outcome(Cost.oneRequest(), withCause(fail.error(), failure), null);
			}
			this.passedOn.add(cause);
			return new Outcome(Cost.oneRequest(), failure, null);
		}
		catch (RuntimeException ex) {
			failure.addSuppressed(ex);
			return Outcome.passOn(failure);
		}
	}

	private static RuntimeException withCause(RuntimeException error, Throwable cause) {
		if (error.getCause() == null) {
			try {
				error.initCause(cause);
			}
			catch (IllegalStateException ex) {
				error.addSuppressed(cause); // built with an explicit null cause
			}
		}
		return error;
	}

	/** Adds {@code earlier} (a previous attempt's failure) to {@code failure} for diagnosis, and returns it. */
	static <T extends Throwable> T suppressing(T failure, Throwable earlier) {
		if (earlier != null && earlier != failure) {
			failure.addSuppressed(earlier);
		}
		return failure;
	}

	/**
	 * What follows a failed attempt.
	 *
	 * @param actual the cost to release the attempt's permit with ({@code null} keeps the estimate)
	 * @param error what to surface when not retrying: the failure itself, or a typed exception caused by it
	 * @param retryAfter the wait before the next attempt is admitted, or {@code null} for no retry
	 */
	record Outcome(Cost actual, Throwable error, Duration retryAfter) {

		static Outcome passOn(Throwable failure) {
			return new Outcome(null, failure, null);
		}

		/** Whether the call is to be attempted again. */
		boolean retries() {
			return this.retryAfter != null;
		}

	}

}
