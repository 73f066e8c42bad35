package dev.llmthrottle.autoconfigure.springai;

import java.net.URI;

import org.springframework.core.env.Environment;

/**
 * The base URLs Spring AI 2.0's models send to, resolved as Spring AI resolves them: the
 * model's own property (OpenAI's deprecated {@code spring.ai.openai.chat.base-url}), the
 * connection property, the SDK's environment variable, the SDK's default.
 */
final class SpringAiBaseUrls {

	static final String OPENAI_DEFAULT = "https://api.openai.com/v1";

	static final String ANTHROPIC_DEFAULT = "https://api.anthropic.com";

	private SpringAiBaseUrls() {
	}

	static URI openAi(Environment environment) {
		return first(environment, OPENAI_DEFAULT, "spring.ai.openai.chat.base-url", "spring.ai.openai.base-url",
				"OPENAI_BASE_URL");
	}

	static URI anthropic(Environment environment) {
		return first(environment, ANTHROPIC_DEFAULT, "spring.ai.anthropic.base-url", "ANTHROPIC_BASE_URL");
	}

	private static URI first(Environment environment, String fallback, String... names) {
		for (String name : names) {
			String value = environment.getProperty(name);
			if (value != null && !value.isBlank()) {
				try {
					return URI.create(value.trim());
				}
				catch (IllegalArgumentException ex) {
					// Spring AI fails on it at startup; report the default meanwhile
				}
			}
		}
		return URI.create(fallback);
	}

}
