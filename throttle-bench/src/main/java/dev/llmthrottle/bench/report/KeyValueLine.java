package dev.llmthrottle.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One printed result line: a prefix word ({@code BENCH}, {@code JMH}, ...) followed by
 * {@code key=value} pairs separated by spaces, values without spaces.
 *
 * @param prefix the first word
 * @param values the pairs in printed order
 */
public record KeyValueLine(String prefix, Map<String, String> values) {

	public KeyValueLine {
		values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
	}

	/**
	 * The line, if {@code text} is one: a prefix word and at least one {@code key=value}
	 * pair.
	 */
	public static Optional<KeyValueLine> parse(String text) {
		String[] words = text.trim().split("\\s+");
		if (words.length < 2 || words[0].contains("=") || !words[0].matches("[A-Z][A-Z0-9_]*")) {
			return Optional.empty();
		}
		Map<String, String> values = new LinkedHashMap<>();
		for (int i = 1; i < words.length; i++) {
			int equals = words[i].indexOf('=');
			if (equals <= 0) {
				return Optional.empty();
			}
			values.put(words[i].substring(0, equals), words[i].substring(equals + 1));
		}
		return Optional.of(new KeyValueLine(words[0], values));
	}

	/** The lines of {@code texts} with exactly this prefix, in order. */
	public static List<KeyValueLine> withPrefix(List<String> texts, String prefix) {
		List<KeyValueLine> lines = new ArrayList<>();
		for (String text : texts) {
			parse(text).filter((line) -> line.prefix().equals(prefix)).ifPresent(lines::add);
		}
		return lines;
	}

	/** This line with {@code key=value} put first. */
	public KeyValueLine withFirst(String key, String value) {
		Map<String, String> values = new LinkedHashMap<>();
		values.put(key, value);
		values.putAll(this.values);
		return new KeyValueLine(this.prefix, values);
	}

	/** The value of {@code key}, or {@code ""}. */
	public String get(String key) {
		return this.values.getOrDefault(key, "");
	}

	/** The value of {@code key} as a number, or NaN when absent or not a number. */
	public double number(String key) {
		try {
			return Double.parseDouble(get(key));
		}
		catch (NumberFormatException ex) {
			return Double.NaN;
		}
	}

	/** The line as printed. */
	@Override
	public String toString() {
		StringBuilder text = new StringBuilder(this.prefix);
		this.values.forEach((key, value) -> text.append(' ').append(key).append('=').append(value));
		return text.toString();
	}

}
