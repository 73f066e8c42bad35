package dev.llmthrottle.bench.report;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TargetsTests {

	@Test
	void defaultSettingsNeedNo429AndEfficiencyOf097() {
		List<KeyValueLine> checks = Targets.accuracy(KeyValueLine.withPrefix(
				List.of("BENCH client=llm-throttle model=sliding-window calls=600 ok=600 http_429=1 efficiency=0.969"),
				"BENCH"));
		assertThat(checks).extracting((check) -> check.get("check") + " " + check.get("verdict"))
			.containsExactly("llm-throttle / sliding-window: calls succeeded met",
					"llm-throttle / sliding-window: 429s MISSED", "llm-throttle / sliding-window: efficiency MISSED");
	}

	@Test
	void learnedLimitsAndNeighboursAllowUnderOnePercentAnd090() {
		List<KeyValueLine> checks = Targets.accuracy(KeyValueLine.withPrefix(
				List.of("BENCH client=llm-throttle-noisy model=quantized calls=600 ok=600 http_429=5 efficiency=0.900",
						"BENCH client=llm-throttle-auto model=quantized calls=600 ok=590 http_429=6 efficiency=0.95"),
				"BENCH"));
		assertThat(checks).extracting((check) -> check.get("verdict"))
			.containsExactly("met", "met", "met", "MISSED", "MISSED", "met");
	}

	@Test
	void overheadLimitsAbsoluteFiguresToTheUncontendedCase() {
		List<KeyValueLine> checks = Targets.overhead(KeyValueLine.withPrefix(
				List.of("JMH_TARGETS threads=1 ours_common_ns=900.0 common_vs_r4j=1.20 proxy_adds_ns=1200.0",
						"JMH_TARGETS threads=8 ours_common_ns=5000.0 common_vs_r4j=0.90 proxy_adds_ns=3000.0"),
				"JMH_TARGETS"));
		assertThat(checks).extracting((check) -> check.get("threads") + " " + check.get("verdict"))
			.containsExactly("1 MISSED", "1 met", "1 MISSED", "8 met");
	}

}
