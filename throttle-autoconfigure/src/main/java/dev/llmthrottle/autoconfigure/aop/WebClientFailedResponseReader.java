package dev.llmthrottle.autoconfigure.aop;

import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * Reads a {@link WebClientResponseException} ({@code retrieve()} on an error status). In
 * its own class so that spring-webflux stays optional: instantiated only when the
 * exception class is present.
 */
final class WebClientFailedResponseReader implements FailedResponseReader {

	static final String EXCEPTION = "org.springframework.web.reactive.function.client.WebClientResponseException";

	@Override
	public FailedResponse read(Throwable failure) {
		if (!(failure instanceof WebClientResponseException response)) {
			return null;
		}
		return new FailedResponse(response.getStatusCode().value(),
				dev.llmthrottle.autoconfigure.web.SpringHeaders.of(response.getHeaders()),
				response.getResponseBodyAsString());
	}

}
