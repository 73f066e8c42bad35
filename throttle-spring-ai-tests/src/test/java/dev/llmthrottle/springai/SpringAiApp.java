package dev.llmthrottle.springai;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.test.SimulatedProvider;

/**
 * An application as a user writes it: the llm-throttle starter, Spring AI's OpenAI and
 * Anthropic starters, properties, no annotation and no code of ours.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class SpringAiApp {

	/** The API key every test uses; its partition is where the calls are admitted. */
	static final String OPENAI_KEY = "sk-spring-ai-test";

	static final String ANTHROPIC_KEY = "sk-ant-spring-ai-test";

	static ConfigurableApplicationContext start(List<String> properties) {
		return new SpringApplicationBuilder(SpringAiApp.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	/** Spring AI's OpenAI chat model pointed at {@code simulator}. */
	static List<String> openAi(SimulatedProvider simulator) {
		List<String> properties = new ArrayList<>();
		properties.add("spring.ai.model.chat=openai");
		properties.add("spring.ai.openai.api-key=" + OPENAI_KEY);
		properties.add("spring.ai.openai.base-url=" + simulator.baseUrl() + "/v1");
		properties.add("spring.ai.openai.chat.model=gpt-4o");
		properties.add("spring.ai.openai.chat.max-tokens=40");
		return properties;
	}

	/** Spring AI's Anthropic chat model pointed at {@code simulator}. */
	static List<String> anthropic(SimulatedProvider simulator) {
		List<String> properties = new ArrayList<>();
		properties.add("spring.ai.model.chat=anthropic");
		properties.add("spring.ai.openai.api-key=" + OPENAI_KEY);
		properties.add("spring.ai.anthropic.api-key=" + ANTHROPIC_KEY);
		properties.add("spring.ai.anthropic.base-url=" + simulator.baseUrl());
		properties.add("spring.ai.anthropic.chat.model=claude-sonnet-4");
		properties.add("spring.ai.anthropic.chat.max-tokens=40");
		return properties;
	}

	/**
	 * The throttle's provider {@code name} covering {@code simulator}, with its limits.
	 */
	static List<String> provider(String name, SimulatedProvider simulator, String dialect, String... limits) {
		String prefix = "llm.throttle.providers." + name + ".";
		List<String> properties = new ArrayList<>();
		properties.add(prefix + "base-url=" + simulator.baseUrl() + "/v1");
		properties.add(prefix + "dialect=" + dialect);
		properties.add(prefix + "max-concurrent=8");
		properties.add(prefix + "max-wait=30s");
		for (int i = 0; i < limits.length; i++) {
			String[] parts = limits[i].split(" ");
			properties.add(prefix + "limits[" + i + "].dimension=" + parts[0]);
			properties.add(prefix + "limits[" + i + "].amount=" + parts[1]);
			properties.add(prefix + "limits[" + i + "].period=" + parts[2]);
		}
		return properties;
	}

	static Partition partition(ConfigurableApplicationContext context, String provider, String key) {
		return context.getBean(LlmThrottlers.class).get(provider).partition(key);
	}

}
