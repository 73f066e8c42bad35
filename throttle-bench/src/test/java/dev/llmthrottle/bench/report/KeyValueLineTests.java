package dev.llmthrottle.bench.report;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class KeyValueLineTests {

	@Test
	void parsesAPrefixAndItsPairsInOrder() {
		KeyValueLine line = KeyValueLine.parse("BENCH client=naive model=quantized http_429=12").orElseThrow();
		assertThat(line.prefix()).isEqualTo("BENCH");
		assertThat(line.values()).containsExactly(entry("client", "naive"), entry("model", "quantized"),
				entry("http_429", "12"));
		assertThat(line.number("http_429")).isEqualTo(12);
		assertThat(line.number("client")).isNaN();
		assertThat(line).hasToString("BENCH client=naive model=quantized http_429=12");
	}

	@Test
	void ignoresTextThatIsNotAResultLine() {
		assertThat(KeyValueLine.parse("# Warmup Iteration   1: 618.968 ns/op")).isEmpty();
		assertThat(KeyValueLine.parse("Benchmark Mode Cnt Score")).isEmpty();
		assertThat(KeyValueLine.parse("BENCH")).isEmpty();
		assertThat(KeyValueLine.parse("a=b c=d")).isEmpty();
	}

	@Test
	void selectsLinesByExactPrefix() {
		List<KeyValueLine> lines = KeyValueLine.withPrefix(
				List.of("JMH benchmark=a threads=1", "JMH_TARGETS threads=1", "noise", "JMH benchmark=b threads=1"),
				"JMH");
		assertThat(lines).extracting((line) -> line.get("benchmark")).containsExactly("a", "b");
	}

	@Test
	void tablesHaveOneColumnPerKeyInFirstAppearanceOrder() {
		List<KeyValueLine> lines = KeyValueLine.withPrefix(List.of("T a=1 b=2", "T a=3 c=4"), "T");
		assertThat(MarkdownTable.of(lines)).isEqualTo("| a | b | c |\n|---|---|---|\n| 1 | 2 |  |\n| 3 |  | 4 |\n");
	}

}
