package dev.llmthrottle.sample.client;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import dev.llmthrottle.sample.SampleProperties;

/**
 * Keeps Spring AI's OpenAI auto-configuration (on the class path for
 * {@code sample.client=spring-ai}) out of every other run, and points it at the batch's
 * provider in that one: {@code spring.ai.model.chat=openai} and
 * {@code spring.ai.openai.base-url} / {@code api-key} from the provider's base URL (the
 * simulator's, set by the simulated-provider initializer, which runs first) and key;
 * every other Spring AI model is {@code none}. A property source of the lowest
 * precedence: anything given on the command line wins. Registered in
 * {@code META-INF/spring.factories}.
 */
public class SpringAiInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext>, Ordered {

	/** Name of the property source. */
	public static final String PROPERTY_SOURCE_NAME = "sampleSpringAi";

	private static final String[] OTHER_MODELS = { "spring.ai.model.embedding", "spring.ai.model.embedding.text",
			"spring.ai.model.embedding.multimodal", "spring.ai.model.image", "spring.ai.model.audio.transcription",
			"spring.ai.model.audio.speech", "spring.ai.model.moderation" };

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		ConfigurableEnvironment environment = context.getEnvironment();
		if (environment.getPropertySources().contains(PROPERTY_SOURCE_NAME)) {
			return;
		}
		SampleProperties sample = Binder.get(environment).bindOrCreate("sample", SampleProperties.class);
		Map<String, Object> properties = new LinkedHashMap<>();
		for (String model : OTHER_MODELS) {
			properties.put(model, "none");
		}
		if (sample.client() == SampleProperties.Client.SPRING_AI) {
			String provider = sample.batch().provider();
			properties.put("spring.ai.model.chat", "openai");
			String baseUrl = environment.getProperty("llm.throttle.providers." + provider + ".base-url");
			if (baseUrl == null) {
				baseUrl = environment.getProperty("llm.throttle.providers." + provider + ".base-url[0]");
			}
			if (baseUrl != null) {
				properties.put("spring.ai.openai.base-url", ProviderEndpoint.openAiApiBase(baseUrl));
			}
			properties.put("spring.ai.openai.api-key",
					sample.simulated().enabled() ? ProviderEndpoints.SIMULATED_KEY : "${OPENAI_API_KEY:}");
		}
		else {
			properties.put("spring.ai.model.chat", "none");
		}
		environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE_NAME, properties));
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 20;
	}

}
