package dev.llmthrottle.bench.report;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BenchTableTests {

	@Test
	void replacesOnlyTheNamedSection() {
		String doc = "intro\n<!-- accuracy:begin -->\nold\n<!-- accuracy:end -->\n<!-- overhead:begin -->\nkept\n"
				+ "<!-- overhead:end -->\n";
		assertThat(BenchTable.replaceSection(doc, "accuracy", "new\n")).isEqualTo(
				"intro\n<!-- accuracy:begin -->\nnew\n<!-- accuracy:end -->\n<!-- overhead:begin -->\nkept\n"
						+ "<!-- overhead:end -->\n");
	}

	@Test
	void refusesADocumentWithoutTheSection() {
		assertThatIllegalArgumentException().isThrownBy(() -> BenchTable.replaceSection("no markers", "accuracy", ""));
	}

	@Test
	void rawBlockKeepsTheFamilysLinesAsPrinted() {
		String block = BenchTable.rawBlock(List.of("BENCH_SETUP calls=600", "NOTE x failed", "BENCH client=a",
				"JMH benchmark=b"), "BENCH");
		assertThat(block).isEqualTo("Raw lines:\n\n```text\nBENCH_SETUP calls=600\nBENCH client=a\n```\n");
	}

	@Test
	void accuracySectionHasTheMatrixAndTheChecks() {
		String section = BenchTable.accuracy(List.of(
				"BENCH client=llm-throttle model=quantized calls=600 ok=600 http_429=0 efficiency=0.980",
				"BENCH client=naive model=quantized calls=600 ok=600 http_429=900 efficiency=1.300"));
		assertThat(section).contains("| client | model | calls | ok | http_429 | efficiency |")
			.contains("| llm-throttle / quantized: efficiency | >= 0.97 | 0.980 | met |")
			.doesNotContain("naive / quantized:");
	}

}
