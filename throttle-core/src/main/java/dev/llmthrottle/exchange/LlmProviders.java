package dev.llmthrottle.exchange;

import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The providers the HTTP filters know, matched by base URL. The longest matching base URL
 * wins, so two providers on one host with different paths are told apart.
 */
public final class LlmProviders {

	private final List<LlmProvider> providers;

	public LlmProviders(Collection<LlmProvider> providers) {
		this.providers = List.copyOf(providers);
	}

	/** The provider a request URL belongs to, if any. */
	public Optional<LlmProvider> match(URI url) {
		LlmProvider best = null;
		int bestLength = -1;
		for (LlmProvider provider : this.providers) {
			int length = provider.matchLength(url);
			if (length > bestLength) {
				best = provider;
				bestLength = length;
			}
		}
		return Optional.ofNullable(best);
	}

	/** The provider of that name, if configured. */
	public Optional<LlmProvider> byName(String name) {
		return this.providers.stream().filter((provider) -> provider.name().equals(name)).findFirst();
	}

	public List<LlmProvider> all() {
		return this.providers;
	}

}
