package com.openai.core.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Test stand-in for openai-java's {@code Headers}, with the same public methods the
 * advisor reads. The real SDK is not a dependency of the starter.
 */
public final class Headers {

	private final Map<String, List<String>> map;

	private Headers(Map<String, List<String>> map) {
		this.map = map;
	}

	/** Headers from alternating names and values. */
	public static Headers of(String... namesAndValues) {
		Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		for (int i = 0; i < namesAndValues.length; i += 2) {
			map.computeIfAbsent(namesAndValues[i], (name) -> new ArrayList<>()).add(namesAndValues[i + 1]);
		}
		return new Headers(map);
	}

	public Set<String> names() {
		return this.map.keySet();
	}

	public List<String> values(String name) {
		return this.map.getOrDefault(name, List.of());
	}

	@Override
	public String toString() {
		return "Headers{map=" + this.map + "}";
	}

}
