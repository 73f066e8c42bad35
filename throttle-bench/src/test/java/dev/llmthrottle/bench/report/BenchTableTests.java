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
		assertThat(BenchTable.replaceSection(doc, "accuracy", "new\n"))
			.isEqualTo("intro\n<!-- accuracy:begin -->\nnew\n<!-- accuracy:end -->\n<!-- overhead:begin -->\nkept\n"
					+ "<!-- overhead:end -->\n");
	}

	@Test
	void refusesADocumentWithoutTheSection() {
		assertThatIllegalArgumentException().isThrownBy(() -> BenchTable.replaceSection("no markers", "accuracy", ""));
	}

	@Test
	void rawBlockKeepsTheFamilysLinesAsPrinted() {
		String block = BenchTable.rawBlock(
				List.of(List.of("BENCH_SETUP calls=600", "NOTE x failed", "BENCH client=a", "JMH benchmark=b")),
				"BENCH");
		assertThat(block).isEqualTo("Raw lines:\n\n```text\nBENCH_SETUP calls=600\nBENCH client=a\n```\n");
	}

	@Test
	void accuracySectionHasTheMatrixAndTheChecks() {
		String section = BenchTable.accuracy(List
			.of(List.of("BENCH client=llm-throttle model=quantized calls=600 ok=600 http_429=0 efficiency=0.980",
					"BENCH client=naive model=quantized calls=600 ok=600 http_429=900 efficiency=1.300")));
		assertThat(section).contains("| client | model | calls | ok | http_429 | efficiency |")
			.contains("| llm-throttle / quantized: efficiency | >= 0.97 | 0.980 | met |")
			.doesNotContain("naive / quantized:");
	}

	@Test
	void severalRunsAreNumberedInTablesAndRawLines() {
		String section = BenchTable.overhead(List.of(
				List.of("JMH benchmark=ours_common threads=1 ns_op=300.0",
						"JMH_TARGETS threads=1 ours_common_ns=300.0 common_vs_r4j=1.50 proxy_adds_ns=500.0"),
				List.of("JMH benchmark=ours_common threads=1 ns_op=280.0")));
		assertThat(section).contains("| benchmark | threads | ns_op (run 1) | ns_op (run 2) | vs_r4j (run 1) |")
			.contains("| ours_common | 1 | 300.0 | 280.0 |")
			.contains("| 1 | ours_common / r4j_bulkhead_2limiters | 1 | <= 1.00 | 1.50 | MISSED |")
			.contains("# run 1\nJMH benchmark=ours_common threads=1 ns_op=300.0\n")
			.contains("# run 2\nJMH benchmark=ours_common threads=1 ns_op=280.0\n");
	}

	@Test
	void redisSectionHasTheRatesTheCellsAndTheirChecks() {
		String section = BenchTable.redis(List.of(
				List.of("REDIS_SETUP seconds=3",
						"REDIS callers=8 admissions_per_s=4000 script_calls_per_admission=2.00"),
				List.of("BENCH client=llm-throttle-redis-x3 model=fixed-window calls=600 ok=600 http_429=3 "
						+ "efficiency=0.950")));
		assertThat(section).contains("| callers | admissions_per_s | script_calls_per_admission |")
			.contains("| 8 | 4000 | 2.00 |")
			.contains("| llm-throttle-redis-x3 / fixed-window: 429s | 0 | 3 | MISSED |")
			.contains("REDIS_SETUP seconds=3\nREDIS callers=8");
	}

}
