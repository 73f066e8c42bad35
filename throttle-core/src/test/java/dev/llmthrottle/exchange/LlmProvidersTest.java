package dev.llmthrottle.exchange;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.protocol.Dialect;

import static org.assertj.core.api.Assertions.assertThat;

class LlmProvidersTest {

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final LlmProvider openai = ExchangeTestSupport.provider("openai", Dialect.OPENAI,
			"https://api.openai.com/v1", this.time, RetryPolicy.DEFAULT);

	private final LlmProvider azureEast = ExchangeTestSupport.provider("azure-east", Dialect.AZURE,
			"https://gw.example.com/openai/deployments/east", this.time, RetryPolicy.DEFAULT);

	private final LlmProvider gateway = ExchangeTestSupport.provider("gateway", Dialect.GENERIC,
			"https://gw.example.com/", this.time, RetryPolicy.DEFAULT);

	private final LlmProviders providers = new LlmProviders(List.of(this.openai, this.azureEast, this.gateway));

	@Test
	void matchesByOriginAndPathPrefix() {
		assertThat(this.providers.match(URI.create("https://api.openai.com/v1/chat/completions")))
			.contains(this.openai);
		assertThat(this.providers.match(URI.create("https://API.OPENAI.COM:443/v1/chat/completions")))
			.contains(this.openai);
		assertThat(this.providers.match(URI.create("https://api.openai.com/v10/chat"))).isEmpty();
		assertThat(this.providers.match(URI.create("http://api.openai.com/v1/chat/completions"))).isEmpty();
		assertThat(this.providers.match(URI.create("https://api.openai.com:8443/v1/chat"))).isEmpty();
		assertThat(this.providers.match(URI.create("https://example.org/v1/chat"))).isEmpty();
	}

	@Test
	void longestBaseUrlWins() {
		assertThat(this.providers.match(URI.create("https://gw.example.com/openai/deployments/east/chat")))
			.contains(this.azureEast);
		assertThat(this.providers.match(URI.create("https://gw.example.com/openai/deployments/west/chat")))
			.contains(this.gateway);
	}

}
