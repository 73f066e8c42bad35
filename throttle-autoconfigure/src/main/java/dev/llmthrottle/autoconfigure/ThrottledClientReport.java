package dev.llmthrottle.autoconfigure;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;

/**
 * Says at startup what is throttled: one INFO line per configured provider naming the
 * clients that reach it through an adapter of ours, and a WARN for each client bound to a
 * base URL that no provider covers (its calls go out unthrottled). Base URLs are logged,
 * keys never.
 */
public final class ThrottledClientReport {

	private static final System.Logger logger = System.getLogger(ThrottledClientReport.class.getName());

	private final LlmProviders providers;

	private final Supplier<List<ThrottledClient>> clients;

	public ThrottledClientReport(LlmProviders providers, List<ThrottledClient> clients) {
		this(providers, () -> clients);
	}

	/**
	 * A report over clients read when it is asked (some are found only as the context
	 * starts: client beans post-processed by an adapter).
	 */
	public ThrottledClientReport(LlmProviders providers, Supplier<List<ThrottledClient>> clients) {
		this.providers = providers;
		this.clients = clients;
	}

	/** General HTTP clients first, then the bound ones, each by name: a stable line. */
	private List<ThrottledClient> clients() {
		return this.clients.get()
			.stream()
			.sorted(Comparator.comparing((ThrottledClient client) -> !client.isGeneral())
				.thenComparing(ThrottledClient::name))
			.toList();
	}

	/** Logs the report. */
	public void log() {
		for (String line : coverage()) {
			logger.log(Level.INFO, line);
		}
		for (String line : uncovered()) {
			logger.log(Level.WARNING, line);
		}
	}

	/** One line per provider: the clients that reach it. */
	public List<String> coverage() {
		List<String> lines = new ArrayList<>();
		List<ThrottledClient> clients = clients();
		for (LlmProvider provider : this.providers.all()) {
			Set<String> names = new LinkedHashSet<>();
			for (ThrottledClient client : clients) {
				if (client.isGeneral()
						|| client.baseUrls().stream().anyMatch((url) -> owner(url).orElse(null) == provider)) {
					names.add(client.name());
				}
			}
			if (provider.baseUrls().isEmpty()) {
				lines.add(("llm-throttle provider '%s' has no base-url, so no HTTP client reaches it: only "
						+ "@LlmThrottled methods and the programmatic API are throttled")
					.formatted(provider.name()));
				continue;
			}
			String urls = provider.baseUrls().stream().map(URI::toString).collect(Collectors.joining(", "));
			lines.add(names.isEmpty()
					? "llm-throttle provider '%s' (%s) covers no HTTP client: only @LlmThrottled methods and the programmatic API are throttled"
						.formatted(provider.name(), urls)
					: "llm-throttle provider '%s' (%s) covers: %s".formatted(provider.name(), urls,
							String.join(", ", names)));
		}
		return lines;
	}

	/**
	 * One line per client whose base URL no provider covers.
	 */
	public List<String> uncovered() {
		List<String> lines = new ArrayList<>();
		for (ThrottledClient client : clients()) {
			for (URI url : client.baseUrls()) {
				if (owner(url).isEmpty()) {
					lines.add(("%s sends to %s, which no llm.throttle.providers.<name>.base-url covers: "
							+ "its calls are not throttled")
						.formatted(client.name(), url));
				}
			}
		}
		return lines;
	}

	/**
	 * The provider a call under {@code url} belongs to: the one whose base URL matches it
	 * most closely, as the adapters pick it (a client under {@code /v1} of a host whose
	 * root is another provider's belongs to the {@code /v1} one only).
	 */
	private Optional<LlmProvider> owner(URI url) {
		Optional<LlmProvider> exact = this.providers.match(url);
		return exact.isPresent() ? exact : this.providers.match(withSlash(url));
	}

	private static URI withSlash(URI url) {
		String text = url.toString();
		return text.endsWith("/") ? url : URI.create(text + "/");
	}

}
