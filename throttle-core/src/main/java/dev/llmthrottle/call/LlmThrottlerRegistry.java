package dev.llmthrottle.call;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.UnknownProviderException;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * Every configured provider's {@link LlmThrottler}, by name:
 * {@code throttlers.get("openai").call(key, cost, ...)}. An unknown name is a clear
 * exception rather than an unthrottled call.
 */
public final class LlmThrottlerRegistry {

	private final Map<String, LlmThrottler> byName;

	public LlmThrottlerRegistry(LlmProviders providers, ResponseFeedback feedback, TimeSource time) {
		Map<String, LlmThrottler> map = new LinkedHashMap<>();
		for (LlmProvider provider : providers.all()) {
			map.put(provider.name(), LlmThrottler.of(provider, feedback, time));
		}
		this.byName = Map.copyOf(map);
	}

	/** The throttler of the provider named {@code name}. */
	public LlmThrottler get(String name) {
		LlmThrottler throttler = this.byName.get(name);
		if (throttler == null) {
			throw new UnknownProviderException(name, names());
		}
		return throttler;
	}

	/** The provider names, sorted. */
	public Set<String> names() {
		return new TreeSet<>(this.byName.keySet());
	}

}
