package dev.llmthrottle.autoconfigure.aop;

import org.springframework.web.client.RestClientResponseException;

/**
 * Reads a {@link RestClientResponseException} ({@code RestClient} and
 * {@code RestTemplate} on an error status). In its own class so that spring-web stays
 * optional: instantiated only when the exception class is present.
 */
final class RestClientFailedResponseReader implements FailedResponseReader {

	static final String EXCEPTION = "org.springframework.web.client.RestClientResponseException";

	@Override
	public FailedResponse read(Throwable failure) {
		if (!(failure instanceof RestClientResponseException response)) {
			return null;
		}
		return new FailedResponse(response.getStatusCode().value(),
				dev.llmthrottle.autoconfigure.web.SpringHeaders.of(response.getResponseHeaders()),
				response.getResponseBodyAsString());
	}

}
