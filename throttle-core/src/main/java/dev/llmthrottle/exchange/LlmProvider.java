package dev.llmthrottle.exchange;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.protocol.Dialect;

/**
 * A configured provider as the HTTP layer sees it: where it lives, how it speaks, how
 * calls to it are retried and estimated, and its throttler.
 *
 * @param name the configured name
 * @param dialect how it reports limits, errors and usage
 * @param baseUrls request URLs starting with one of these belong to this provider
 * @param retry how its calls are retried
 * @param defaultOutputTokens the output reservation when a request states no
 * {@code max_tokens}
 * @param throttler its throttler
 */
public record LlmProvider(String name, Dialect dialect, List<URI> baseUrls, RetryPolicy retry, long defaultOutputTokens,
		ProviderThrottler throttler) {

	public LlmProvider {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(dialect, "dialect");
		baseUrls = List.copyOf(baseUrls);
		Objects.requireNonNull(retry, "retry");
		Objects.requireNonNull(throttler, "throttler");
	}

	/**
	 * Whether {@code url} is under one of this provider's base URLs (same scheme, host
	 * and port; path prefix).
	 */
	public boolean matches(URI url) {
		return matchLength(url) >= 0;
	}

	/**
	 * The length of the longest base URL that {@code url} is under, or -1 when none is.
	 */
	public int matchLength(URI url) {
		int longest = -1;
		for (URI base : this.baseUrls) {
			if (sameOrigin(base, url) && pathUnder(base.getRawPath(), url.getRawPath())) {
				longest = Math.max(longest, base.toString().length());
			}
		}
		return longest;
	}

	private static boolean sameOrigin(URI base, URI url) {
		return base.getScheme() != null && url.getScheme() != null && base.getScheme().equalsIgnoreCase(url.getScheme())
				&& base.getHost() != null
				&& base.getHost()
					.toLowerCase(Locale.ROOT)
					.equals((url.getHost() != null) ? url.getHost().toLowerCase(Locale.ROOT) : null)
				&& port(base) == port(url);
	}

	private static int port(URI uri) {
		if (uri.getPort() != -1) {
			return uri.getPort();
		}
		return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
	}

	private static boolean pathUnder(String basePath, String path) {
		String base = (basePath == null || basePath.isEmpty()) ? "/" : basePath;
		String actual = (path == null || path.isEmpty()) ? "/" : path;
		if (base.endsWith("/")) {
			return actual.startsWith(base) || actual.equals(base.substring(0, base.length() - 1));
		}
		return actual.equals(base) || actual.startsWith(base + "/");
	}

}
