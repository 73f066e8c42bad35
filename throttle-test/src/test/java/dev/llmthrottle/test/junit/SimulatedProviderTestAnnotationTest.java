package dev.llmthrottle.test.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.Http;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Limit;
import org.junit.jupiter.api.Test;

@SimulatedProviderTest({ "--dialect=anthropic", "--limit=requests:1/10s" })
class SimulatedProviderTestAnnotationTest {

	@Test
	void theClassAnnotationConfiguresAFreshProvider(SimulatedProvider provider) throws Exception {
		assertThat(provider.settings().dialect()).isEqualTo(Dialect.ANTHROPIC);
		assertThat(Http.post(provider.chatUri(), Http.anthropicBody("Hi", 5)).statusCode()).isEqualTo(200);
		assertThat(Http.post(provider.chatUri(), Http.anthropicBody("Hi", 5)).statusCode()).isEqualTo(429);
	}

	@Test
	void eachTestGetsItsOwnProvider(SimulatedProvider provider) throws Exception {
		assertThat(provider.stats().received()).isZero();
		assertThat(Http.post(provider.chatUri(), Http.anthropicBody("Hi", 5)).statusCode()).isEqualTo(200);
	}

	@Test
	@SimulatedProviderTest({ "--model=quantized", "--limit=requests:60000/1m" })
	void aMethodAnnotationWins(SimulatedProvider provider) {
		assertThat(provider.settings().model()).isEqualTo(EnforcementModel.QUANTIZED);
		assertThat(provider.settings().dialect()).isEqualTo(Dialect.OPENAI);
		assertThat(provider.settings().limits()).containsExactly(Limit.parse("requests:60000/1m"));
	}

}
