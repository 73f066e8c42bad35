package dev.llmthrottle.sample.client;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import dev.llmthrottle.autoconfigure.ProviderDefinition;
import dev.llmthrottle.autoconfigure.ProviderDefinitions;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.sample.SampleProperties;

/**
 * The configured providers as the sample calls them: base URL and dialect from
 * {@code llm.throttle.providers.*}, the API key from {@code OPENAI_API_KEY} /
 * {@code ANTHROPIC_API_KEY} (a placeholder when simulated).
 */
@Component
public class ProviderEndpoints {

	static final String SIMULATED_KEY = "sk-simulated-sample-key";

	private final Map<String, ProviderEndpoint> byName = new LinkedHashMap<>();

	public ProviderEndpoints(ProviderDefinitions definitions, SampleProperties properties, Environment environment) {
		for (ProviderDefinition definition : definitions.all()) {
			if (definition.baseUrls().isEmpty()) {
				continue;
			}
			boolean anthropic = definition.dialect() == Dialect.ANTHROPIC;
			String key = properties.simulated().enabled() ? SIMULATED_KEY
					: environment.getProperty(anthropic ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY");
			String model = (properties.batch().model() != null) ? properties.batch().model()
					: (anthropic ? "claude-haiku-4-5" : "gpt-4o-mini");
			URI baseUrl = definition.baseUrls().get(0);
			this.byName.put(definition.name(),
					new ProviderEndpoint(definition.name(), definition.dialect(), baseUrl, key, model));
		}
	}

	/**
	 * The provider of that name.
	 * @throws IllegalStateException when it is not configured, has no base URL or (real
	 * endpoint) no API key
	 */
	public ProviderEndpoint get(String name) {
		ProviderEndpoint endpoint = this.byName.get(name);
		if (endpoint == null) {
			throw new IllegalStateException("No provider '" + name + "' with a base-url is configured under "
					+ "llm.throttle.providers (have: " + this.byName.keySet() + ")");
		}
		if (endpoint.apiKey() == null || endpoint.apiKey().isBlank()) {
			throw new IllegalStateException(
					"Provider '" + name + "' is called for real (sample.simulated.enabled=" + "false) but "
							+ (endpoint.isAnthropic() ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY") + " is not set");
		}
		return endpoint;
	}

}
