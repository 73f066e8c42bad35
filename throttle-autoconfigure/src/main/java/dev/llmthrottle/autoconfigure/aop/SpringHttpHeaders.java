package dev.llmthrottle.autoconfigure.aop;

import org.springframework.http.HttpHeaders;

import dev.llmthrottle.protocol.ProtocolHeaders;

/**
 * Spring's {@link HttpHeaders} as the protocol package's header view. Loaded only by the readers of Spring's HTTP
 * exceptions, so that spring-web stays optional.
 */
final class SpringHttpHeaders {

	private SpringHttpHeaders() {
	}

	static ProtocolHeaders of(HttpHeaders headers) {
		if (headers == null) {
			return ProtocolHeaders.empty();
		}
		ProtocolHeaders.Builder builder = ProtocolHeaders.builder();
		headers.forEach(builder::add);
		return builder.build();
	}

}
