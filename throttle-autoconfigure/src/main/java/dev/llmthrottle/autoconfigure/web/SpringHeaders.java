package dev.llmthrottle.autoconfigure.web;

import org.springframework.http.HttpHeaders;

import dev.llmthrottle.protocol.ProtocolHeaders;

/**
 * Spring's {@link HttpHeaders} as the protocol package's Spring-free header view; the one
 * adapter shared by the HTTP clients' adapters and the readers of Spring's HTTP
 * exceptions.
 */
public final class SpringHeaders {

	private SpringHeaders() {
	}

	/** The headers as a protocol view ({@code null}: none). */
	public static ProtocolHeaders of(HttpHeaders headers) {
		if (headers == null) {
			return ProtocolHeaders.empty();
		}
		ProtocolHeaders.Builder builder = ProtocolHeaders.builder();
		headers.forEach(builder::add);
		return builder.build();
	}

}
