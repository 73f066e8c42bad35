package dev.llmthrottle.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.HintStyle;
import dev.llmthrottle.test.config.Limit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CommandLineTest {

	@Test
	void parsesTheFlagsFromTheIssue() throws Exception {
		ProviderSettings s = CommandLine.parse(new String[] { "--port=18080", "--dialect=openai",
				"--model=sliding-window", "--limit=requests:50/10s", "--limit=tokens:20000/10s", "--latency=50ms" });
		assertThat(s.port()).isEqualTo(18080);
		assertThat(s.dialect()).isEqualTo(Dialect.OPENAI);
		assertThat(s.model()).isEqualTo(EnforcementModel.SLIDING_WINDOW);
		assertThat(s.limits()).containsExactly(Limit.parse("requests:50/10s"), Limit.parse("tokens:20000/10s"));
		assertThat(s.latency().base()).isEqualTo(Duration.ofMillis(50));
	}

	@Test
	void parsesEveryOtherFlag() throws Exception {
		ProviderSettings s = CommandLine
			.parse(new String[] { "--dialect=anthropic", "--model=quantized", "--quantum=500ms", "--max-concurrent=8",
					"--latency-per-token=2ms", "--jitter=10ms", "--arrival-jitter=100ms", "--default-max-tokens=512",
					"--completion=0.5..0.75", "--seed=9", "--server-errors=0.1:500,529", "--connection-resets=0.05",
					"--slow-first-byte=2s@0.2", "--quota-exhausted", "--missing-headers=0.1", "--malformed-headers=0.2",
					"--hint=http-date", "--noisy-neighbour=0.3", "--exact-anthropic-remaining" });
		assertThat(s.quantum()).isEqualTo(Duration.ofMillis(500));
		assertThat(s.maxConcurrent()).isEqualTo(8);
		assertThat(s.latency().perOutputToken()).isEqualTo(Duration.ofMillis(2));
		assertThat(s.latency().jitter()).isEqualTo(Duration.ofMillis(10));
		assertThat(s.latency().arrivalJitter()).isEqualTo(Duration.ofMillis(100));
		assertThat(s.defaultMaxTokens()).isEqualTo(512);
		assertThat(s.completionLength().minFraction()).isEqualTo(0.5);
		assertThat(s.seed()).isEqualTo(9);
		assertThat(s.faults().serverErrorProbability()).isEqualTo(0.1);
		assertThat(s.faults().serverErrorStatuses()).containsExactly(500, 529);
		assertThat(s.faults().connectionResetProbability()).isEqualTo(0.05);
		assertThat(s.faults().slowFirstByte()).isEqualTo(Duration.ofSeconds(2));
		assertThat(s.faults().slowFirstByteProbability()).isEqualTo(0.2);
		assertThat(s.faults().quotaExhausted()).isTrue();
		assertThat(s.faults().missingHeadersProbability()).isEqualTo(0.1);
		assertThat(s.faults().malformedHeadersProbability()).isEqualTo(0.2);
		assertThat(s.faults().hintStyle()).isEqualTo(HintStyle.HTTP_DATE);
		assertThat(s.faults().noisyNeighbourShare()).isEqualTo(0.3);
		assertThat(s.roundAnthropicRemaining()).isFalse();
	}

	@Test
	void reportsBadFlags() {
		assertThatThrownBy(() -> CommandLine.parse(new String[] { "--bogus=1" }))
			.hasMessageContaining("Unknown flag --bogus");
		assertThatThrownBy(() -> CommandLine.parse(new String[] { "--limit=requests:x/1s", "--model=nope" }))
			.hasMessageContaining("--limit")
			.hasMessageContaining("--model");
		assertThatThrownBy(() -> CommandLine.parse(new String[] { "--latency" })).hasMessageContaining("needs a value");
	}

	@Test
	void helpListsEveryFlag() {
		for (String flag : new String[] { "--port", "--dialect", "--model", "--limit", "--quantum", "--max-concurrent",
				"--latency", "--latency-per-token", "--jitter", "--arrival-jitter", "--default-max-tokens",
				"--completion", "--seed", "--server-errors", "--connection-resets", "--slow-first-byte",
				"--quota-exhausted", "--missing-headers", "--malformed-headers", "--hint", "--noisy-neighbour",
				"--exact-anthropic-remaining", "--help" }) {
			assertThat(CommandLine.HELP).contains(flag);
		}
		assertThat(CommandLine.wantsHelp(new String[] { "--seed=1", "--help" })).isTrue();
	}

}
