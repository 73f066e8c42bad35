package dev.llmthrottle.exchange;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;
import dev.llmthrottle.protocol.tokens.TokenEstimator;
import dev.llmthrottle.protocol.tokens.Usage;

import static org.assertj.core.api.Assertions.assertThat;

class CostEstimatorTest {

	private static final String HAIKU = "{\"model\":\"claude-sonnet-4\",\"max_tokens\":150,"
			+ "\"messages\":[{\"role\":\"user\",\"content\":\"Write a haiku about rate limits.\"}]}";

	private static final JtokkitTokenCounter COUNTER = new JtokkitTokenCounter();

	private final CostEstimator costs = new CostEstimator(COUNTER, 1.2);

	private final VirtualTimeSource time = new VirtualTimeSource();

	private LlmProvider provider(Dialect dialect) {
		return ExchangeTestSupport.provider(dialect.name().toLowerCase(), dialect, "https://api.example.com", this.time,
				RetryPolicy.DEFAULT);
	}

	@Test
	void anthropicReservesItsStatedMaximumOutput() {
		// defect 3: Anthropic output was reserved as 0, so an output-tokens limit held no
		// one back
		Cost cost = this.costs.estimate(provider(Dialect.ANTHROPIC), HAIKU);
		assertThat(cost.requests()).isEqualTo(1);
		assertThat(cost.inputTokens()).isPositive();
		assertThat(cost.outputTokens()).isEqualTo(150);
	}

	@Test
	void anthropicReservesTheDefaultOutputWhenTheRequestStatesNone() {
		LlmProvider anthropic = provider(Dialect.ANTHROPIC);
		Cost cost = this.costs.estimate(anthropic, HAIKU.replace("\"max_tokens\":150,", ""));
		assertThat(cost.outputTokens()).isEqualTo(anthropic.defaultOutputTokens());
		assertThat(this.costs.defaultCost(anthropic)).isEqualTo(new Cost(1, 0, anthropic.defaultOutputTokens()));
		assertThat(this.costs.estimate(anthropic, new byte[0]))
			.isEqualTo(new Cost(1, 0, anthropic.defaultOutputTokens()));
	}

	@Test
	void everyDialectReservesTheOutputItsEstimatorExpects() {
		for (Dialect dialect : Dialect.values()) {
			LlmProvider provider = provider(dialect);
			long expected = TokenEstimator.forDialect(dialect, COUNTER, provider.defaultOutputTokens(), 1.2)
				.estimate(HAIKU)
				.outputReservation();
			assertThat(expected).as("%s", dialect).isPositive();
			assertThat(this.costs.estimate(provider, HAIKU.getBytes(StandardCharsets.UTF_8)).outputTokens())
				.as("%s", dialect)
				.isEqualTo(expected);
			assertThat(this.costs.defaultCost(provider).outputTokens()).as("%s", dialect)
				.isEqualTo(provider.defaultOutputTokens());
		}
	}

	@Test
	void settlementIsTheReportedUsage() {
		assertThat(CostEstimator.actual(Usage.of(120, 37))).isEqualTo(new Cost(1, 120, 37));
	}

}
