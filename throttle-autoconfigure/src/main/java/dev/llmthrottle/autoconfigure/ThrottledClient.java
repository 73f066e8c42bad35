package dev.llmthrottle.autoconfigure;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * A kind of client an adapter of ours throttles, contributed as a bean by the adapter's
 * auto-configuration, so that startup can say which clients each configured provider
 * covers and warn about a client whose calls no provider covers.
 *
 * @param name how users know the client ({@code WebClient}, {@code Spring AI OpenAI})
 * @param baseUrls where the client sends its calls; empty for a general HTTP client that
 * sends wherever the application tells it (any provider's URL is then covered)
 */
public record ThrottledClient(String name, List<URI> baseUrls) {

	public ThrottledClient {
		Objects.requireNonNull(name, "name");
		baseUrls = List.copyOf(baseUrls);
	}

	/** A general HTTP client, throttled for whichever provider's URL it calls. */
	public static ThrottledClient anyUrl(String name) {
		return new ThrottledClient(name, List.of());
	}

	/** A client bound to one base URL (an SDK or a model configured with its URL). */
	public static ThrottledClient at(String name, URI baseUrl) {
		return new ThrottledClient(name, List.of(baseUrl));
	}

	/** Whether it sends wherever the application tells it. */
	public boolean isGeneral() {
		return this.baseUrls.isEmpty();
	}

}
