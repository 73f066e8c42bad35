package dev.llmthrottle.autoconfigure;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.llmthrottle.core.UnknownProviderException;

/**
 * Every configured provider's {@link ProviderDefinition}, by name, in configuration
 * order. Built once at startup by {@link ThrottlePolicyFactory}; the registry of
 * throttlers is built from it.
 */
public final class ProviderDefinitions {

	private final Map<String, ProviderDefinition> byName;

	public ProviderDefinitions(Collection<ProviderDefinition> definitions) {
		Map<String, ProviderDefinition> map = new LinkedHashMap<>();
		for (ProviderDefinition definition : definitions) {
			if (map.put(definition.name(), definition) != null) {
				throw new IllegalArgumentException("provider '" + definition.name() + "' is defined twice");
			}
		}
		this.byName = map;
	}

	/**
	 * The definition named {@code name}.
	 * @throws UnknownProviderException if there is none
	 */
	public ProviderDefinition get(String name) {
		ProviderDefinition definition = this.byName.get(name);
		if (definition == null) {
			throw new UnknownProviderException(name, names());
		}
		return definition;
	}

	/** The definition named {@code name}, if configured. */
	public Optional<ProviderDefinition> find(String name) {
		return Optional.ofNullable(this.byName.get(name));
	}

	/** The provider names, sorted. */
	public Set<String> names() {
		return new TreeSet<>(this.byName.keySet());
	}

	/** Every definition, in configuration order. */
	public Collection<ProviderDefinition> all() {
		return this.byName.values();
	}

}
