package dev.llmthrottle.autoconfigure;

import java.util.List;
import java.util.function.Function;

/**
 * A provider's properties seen through the defaults: each value comes from the provider
 * when it sets it, else from {@code llm.throttle.defaults}, and remembers the full
 * property path it came from so that a problem is reported where the user wrote the
 * value. Read-only: merging never mutates the bound properties.
 */
final class MergedProviderProperties {

	static final String PREFIX = "llm.throttle";

	static final String DEFAULTS_PATH = PREFIX + ".defaults";

	private final String name;

	private final String path;

	private final ProviderProperties provider;

	private final ProviderProperties defaults;

	MergedProviderProperties(String name, ProviderProperties provider, ProviderProperties defaults) {
		this.name = name;
		this.path = PREFIX + ".providers." + name;
		this.provider = provider;
		this.defaults = defaults;
	}

	/** The defaults on their own, as if they were a provider with nothing set. */
	static MergedProviderProperties defaultsOnly(ProviderProperties defaults) {
		return new MergedProviderProperties(null, new ProviderProperties(), defaults);
	}

	/** The provider name, {@code null} for the defaults on their own. */
	String name() {
		return this.name;
	}

	/** The provider's own property path, e.g. {@code llm.throttle.providers.openai}. */
	String path() {
		return (this.name != null) ? this.path : DEFAULTS_PATH;
	}

	/**
	 * The value of {@code key}, from the provider if set there, else from the defaults.
	 */
	<T> Setting<T> get(String key, Function<ProviderProperties, T> getter) {
		T own = getter.apply(this.provider);
		if (own != null) {
			return new Setting<>(own, path() + "." + key);
		}
		T fallback = getter.apply(this.defaults);
		return new Setting<>(fallback, ((fallback != null) ? DEFAULTS_PATH : path()) + "." + key);
	}

	/** A list: the provider's when non-empty, else the defaults'. */
	<T> Setting<List<T>> getList(String key, Function<ProviderProperties, List<T>> getter) {
		List<T> own = getter.apply(this.provider);
		if (own != null && !own.isEmpty()) {
			return new Setting<>(own, path() + "." + key);
		}
		List<T> fallback = getter.apply(this.defaults);
		if (fallback != null && !fallback.isEmpty()) {
			return new Setting<>(fallback, DEFAULTS_PATH + "." + key);
		}
		return new Setting<>(List.of(), path() + "." + key);
	}

	/** A retry value, merged the same way. */
	<T> Setting<T> getRetry(String key, Function<ProviderProperties.Retry, T> getter) {
		return get("retry." + key, (properties) -> getter.apply(properties.getRetry()));
	}

	/**
	 * A merged value and the full property path it came from (the provider's path when
	 * neither sets it).
	 *
	 * @param <T> the value type
	 * @param value the value, {@code null} when unset
	 * @param path where it was set
	 */
	record Setting<T>(T value, String path) {

		boolean isSet() {
			return this.value != null;
		}

		T orElse(T fallback) {
			return (this.value != null) ? this.value : fallback;
		}

	}

}
