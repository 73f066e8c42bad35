package dev.llmthrottle.autoconfigure.aop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.springframework.util.ClassUtils;

/**
 * Finds the provider's response in the exception an {@code @LlmThrottled} method failed
 * with: Spring's {@code WebClientResponseException} and
 * {@code RestClientResponseException}, and the official SDKs' service exceptions, each
 * read only when its classes are on the class path. A {@code CompletionException} or
 * {@code ExecutionException} is looked through.
 *
 * <p>
 * A response marked with {@link #HANDLED_HEADER} is ignored: the starter's own WebClient
 * filter or RestClient interceptor already fed it back and retried it as long as the
 * policy allowed, under this very admission, so feeding or retrying it again would double
 * both the cooldown bookkeeping and the attempts.
 */
final class FailedResponses {

	/**
	 * Response header with which the starter's HTTP filters mark an error response they
	 * pass on after giving up on it (its value is the number of attempts made).
	 */
	static final String HANDLED_HEADER = dev.llmthrottle.autoconfigure.web.LlmThrottleAttributes.ATTEMPTS_HEADER;

	private static final int MAX_BODY_CHARS = 64 * 1024;

	private static final int MAX_UNWRAP = 4;

	private final List<FailedResponseReader> readers;

	FailedResponses(List<FailedResponseReader> readers) {
		this.readers = List.copyOf(readers);
	}

	/** The readers of the exception classes present on the class path. */
	static FailedResponses forClassPath(ClassLoader classLoader) {
		List<FailedResponseReader> readers = new ArrayList<>();
		if (ClassUtils.isPresent(WebClientFailedResponseReader.EXCEPTION, classLoader)) {
			readers.add(new WebClientFailedResponseReader());
		}
		if (ClassUtils.isPresent(RestClientFailedResponseReader.EXCEPTION, classLoader)) {
			readers.add(new RestClientFailedResponseReader());
		}
		readers.add(new SdkFailedResponseReader(SdkFailedResponseReader.SDK_EXCEPTIONS));
		return new FailedResponses(readers);
	}

	/**
	 * The provider's error response {@code failure} carries, or {@code null} when it
	 * carries none or one that an HTTP filter of this starter already handled.
	 */
	FailedResponse read(Throwable failure) {
		Throwable cause = unwrap(failure);
		for (FailedResponseReader reader : this.readers) {
			FailedResponse response = reader.read(cause);
			if (response != null) {
				boolean handled = response.headers().contains(HANDLED_HEADER);
				return (handled || response.status() < 400) ? null : response.bounded(MAX_BODY_CHARS);
			}
		}
		return null;
	}

	/**
	 * The failure itself, or what a {@code CompletionException} or
	 * {@code ExecutionException} wraps.
	 */
	static Throwable unwrap(Throwable failure) {
		Throwable current = failure;
		for (int i = 0; i < MAX_UNWRAP
				&& (current instanceof CompletionException || current instanceof ExecutionException)
				&& current.getCause() != null; i++) {
			current = current.getCause();
		}
		return current;
	}

}
