package dev.llmthrottle.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only view of response headers: names are case-insensitive, values are trimmed,
 * blank values and {@code null}s are dropped, and a header may have several values (kept
 * in order).
 *
 * <p>
 * Built from a plain {@code Map<String, List<String>>} or a {@link Builder} so that the
 * Spring glue can adapt {@code HttpHeaders} (or an SDK's header map) without this package
 * knowing Spring. Values are not split on commas: an HTTP-date contains one.
 */
public final class ProtocolHeaders {

	private static final ProtocolHeaders EMPTY = new ProtocolHeaders(Map.of());

	private final Map<String, List<String>> values;

	private ProtocolHeaders(Map<String, List<String>> values) {
		this.values = values;
	}

	/** Headers with no entries. */
	public static ProtocolHeaders empty() {
		return EMPTY;
	}

	/**
	 * Copies a header map. {@code null} map, names, value lists and values are all
	 * tolerated.
	 * @param headers the raw headers
	 * @return the view
	 */
	public static ProtocolHeaders of(Map<String, ? extends Collection<String>> headers) {
		Builder builder = builder();
		if (headers != null) {
			headers.forEach(builder::add);
		}
		return builder.build();
	}

	/**
	 * Builds headers from alternating names and values, e.g.
	 * {@code of("retry-after", "7", "x-ratelimit-remaining-requests", "0")}; convenient
	 * in tests.
	 * @param namesAndValues names and values, alternating; a trailing name without value
	 * is ignored
	 * @return the view
	 */
	public static ProtocolHeaders of(String... namesAndValues) {
		Builder builder = builder();
		if (namesAndValues != null) {
			for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
				builder.add(namesAndValues[i], namesAndValues[i + 1]);
			}
		}
		return builder.build();
	}

	/** A builder for adapting other header types one entry at a time. */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * The first value of a header.
	 * @param name the header name, in any case
	 * @return the first non-blank trimmed value, or empty
	 */
	public Optional<String> first(String name) {
		List<String> list = all(name);
		return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
	}

	/**
	 * Every value of a header, in the order received.
	 * @param name the header name, in any case
	 * @return the non-blank trimmed values, possibly empty, never {@code null}
	 */
	public List<String> all(String name) {
		if (name == null) {
			return List.of();
		}
		return this.values.getOrDefault(key(name), List.of());
	}

	/** Whether the header has at least one non-blank value. */
	public boolean contains(String name) {
		return !all(name).isEmpty();
	}

	/** The header names present, in lower case. */
	public Set<String> names() {
		return this.values.keySet();
	}

	/** Whether there are no headers at all. */
	public boolean isEmpty() {
		return this.values.isEmpty();
	}

	@Override
	public String toString() {
		return "ProtocolHeaders" + this.values.keySet();
	}

	private static String key(String name) {
		return name.trim().toLowerCase(Locale.ROOT);
	}

	/** Collects header values; not thread-safe, use once. */
	public static final class Builder {

		private final Map<String, List<String>> values = new LinkedHashMap<>();

		private Builder() {
		}

		/**
		 * Adds one value. Blank names or values and {@code null}s are ignored.
		 * @param name the header name
		 * @param value the value
		 * @return this builder
		 */
		public Builder add(String name, String value) {
			if (name == null || value == null) {
				return this;
			}
			String key = key(name);
			String trimmed = value.trim();
			if (key.isEmpty() || trimmed.isEmpty()) {
				return this;
			}
			this.values.computeIfAbsent(key, (k) -> new ArrayList<>(1)).add(trimmed);
			return this;
		}

		/**
		 * Adds several values of one header.
		 * @param name the header name
		 * @param values the values; {@code null} is ignored
		 * @return this builder
		 */
		public Builder add(String name, Collection<String> values) {
			if (values != null) {
				for (String value : values) {
					add(name, value);
				}
			}
			return this;
		}

		/** The immutable view. */
		public ProtocolHeaders build() {
			if (this.values.isEmpty()) {
				return EMPTY;
			}
			Map<String, List<String>> copy = new LinkedHashMap<>();
			this.values.forEach((name, list) -> copy.put(name, List.copyOf(list)));
			return new ProtocolHeaders(Collections.unmodifiableMap(copy));
		}

	}

}
