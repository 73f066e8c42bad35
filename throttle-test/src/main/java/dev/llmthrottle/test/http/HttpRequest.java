package dev.llmthrottle.test.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed request.
 *
 * @param method the method, e.g. {@code POST}
 * @param path the path without the query, e.g. {@code /v1/chat/completions}
 * @param query the raw query string, empty if none
 * @param headers header values by lower-case name
 * @param body the request body (empty if none)
 */
public record HttpRequest(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {

	/** Copies the header map. */
	public HttpRequest {
		headers = Map.copyOf(headers);
	}

	/** The first value of a header (case-insensitive name), or {@code null}. */
	public String header(String name) {
		List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
		return values == null || values.isEmpty() ? null : values.get(0);
	}

	/** The body decoded as UTF-8. */
	public String bodyText() {
		return new String(body, StandardCharsets.UTF_8);
	}
}
