package dev.llmthrottle.test.dialect;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A complete non-success response: status, dialect-specific headers (hints, not
 * rate-limit state) and a JSON body.
 *
 * @param status the HTTP status
 * @param headers extra headers in order (lower-case names)
 * @param body the JSON body
 * @param kind what the reply reports, for the statistics (e.g. {@code rate-limit:tokens})
 */
public record Reply(int status, Map<String, String> headers, byte[] body, String kind) {

	/** Copies the headers, keeping their order. */
	public Reply {
		headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
	}
}
