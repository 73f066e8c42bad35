package dev.llmthrottle.protocol;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProtocolHeadersTest {

	@Test
	void namesAreCaseInsensitiveAndValuesTrimmed() {
		ProtocolHeaders headers = ProtocolHeaders.of(Map.of("Retry-After", List.of(" 7 ")));
		assertThat(headers.first("retry-after")).hasValue("7");
		assertThat(headers.first("RETRY-AFTER")).hasValue("7");
		assertThat(headers.first(" Retry-After ")).hasValue("7");
		assertThat(headers.names()).containsExactly("retry-after");
	}

	@Test
	void keepsEveryValueInOrderAcrossDifferentlyCasedNames() {
		Map<String, List<String>> raw = new java.util.LinkedHashMap<>();
		raw.put("X-Test", List.of("a", "b"));
		raw.put("x-test", List.of("c"));
		ProtocolHeaders headers = ProtocolHeaders.of(raw);
		assertThat(headers.all("x-TEST")).containsExactly("a", "b", "c");
		assertThat(headers.first("x-test")).hasValue("a");
	}

	@Test
	void dropsBlankAndNullValuesAndNullNames() {
		Map<String, List<String>> raw = new HashMap<>();
		raw.put(null, List.of("HTTP/1.1 429"));
		raw.put("retry-after", Arrays.asList(null, "   ", "", "3"));
		raw.put("x-empty", Arrays.asList("  "));
		raw.put("x-null-list", null);
		ProtocolHeaders headers = ProtocolHeaders.of(raw);
		assertThat(headers.first("retry-after")).hasValue("3");
		assertThat(headers.contains("x-empty")).isFalse();
		assertThat(headers.contains("x-null-list")).isFalse();
		assertThat(headers.names()).containsExactly("retry-after");
	}

	@Test
	void absentHeaderGivesEmptyResultsNeverNull() {
		ProtocolHeaders headers = ProtocolHeaders.of((Map<String, List<String>>) null);
		assertThat(headers.isEmpty()).isTrue();
		assertThat(headers.first("anything")).isEmpty();
		assertThat(headers.all("anything")).isEmpty();
		assertThat(headers.all(null)).isEmpty();
		assertThat(headers.first(null)).isEmpty();
	}

	@Test
	void pairsConvenienceIgnoresATrailingName() {
		ProtocolHeaders headers = ProtocolHeaders.of("a", "1", "B", "2", "dangling");
		assertThat(headers.first("b")).hasValue("2");
		assertThat(headers.contains("dangling")).isFalse();
	}

	@Test
	void valuesAreNotSplitOnCommasBecauseHttpDatesContainThem() {
		ProtocolHeaders headers = ProtocolHeaders.of("Retry-After", "Sun, 01 Mar 2026 12:00:30 GMT");
		assertThat(headers.all("retry-after")).containsExactly("Sun, 01 Mar 2026 12:00:30 GMT");
	}

	@Test
	void builderAdaptsOtherHeaderTypesAndIsCopiedOnBuild() {
		ProtocolHeaders.Builder builder = ProtocolHeaders.builder().add("A", List.of("1", " 2 ")).add("a", "3");
		ProtocolHeaders built = builder.build();
		builder.add("a", "4");
		assertThat(built.all("a")).containsExactly("1", "2", "3");
	}

	@Test
	void theViewIsReadOnly() {
		ProtocolHeaders headers = ProtocolHeaders.of("a", "1");
		org.assertj.core.api.Assertions.assertThatThrownBy(() -> headers.all("a").add("2"))
			.isInstanceOf(UnsupportedOperationException.class);
	}

}
