package dev.llmthrottle.autoconfigure.web;

import org.springframework.http.HttpHeaders;

import dev.llmthrottle.protocol.ProtocolHeaders;

/**
 * Reads Spring's {@link HttpHeaders} into the protocol package's Spring-free header view.
 */
final class HttpHeadersAdapter {

	private HttpHeadersAdapter() {
	}

	static ProtocolHeaders of(HttpHeaders headers) {
		ProtocolHeaders.Builder builder = ProtocolHeaders.builder();
		headers.forEach(builder::add);
		return builder.build();
	}

}
