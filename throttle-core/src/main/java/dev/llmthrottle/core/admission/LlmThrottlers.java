package dev.llmthrottle.core.admission;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.llmthrottle.core.UnknownProviderException;

/**
 * Every configured provider's throttler, by name. Built once at startup from
 * configuration; an unknown name is a clear exception rather than a silently unthrottled
 * call.
 */
public final class LlmThrottlers {

	private final Map<String, ProviderThrottler> byName;

	public LlmThrottlers(Collection<ProviderThrottler> throttlers) {
		Map<String, ProviderThrottler> map = new LinkedHashMap<>();
		for (ProviderThrottler throttler : throttlers) {
			if (map.put(throttler.name(), throttler) != null) {
				throw new IllegalArgumentException("provider '" + throttler.name() + "' is defined twice");
			}
		}
		this.byName = Map.copyOf(map);
	}

	/** The throttler named {@code name}. */
	public ProviderThrottler get(String name) {
		ProviderThrottler throttler = this.byName.get(name);
		if (throttler == null) {
			throw new UnknownProviderException(name, names());
		}
		return throttler;
	}

	/** Whether a provider of that name is configured. */
	public boolean contains(String name) {
		return this.byName.containsKey(name);
	}

	/** The provider names, sorted. */
	public Set<String> names() {
		return new java.util.TreeSet<>(this.byName.keySet());
	}

	/** All throttlers. */
	public Collection<ProviderThrottler> all() {
		return this.byName.values();
	}

}
