package dev.llmthrottle.springai;

import org.junit.jupiter.api.Test;

import org.springframework.ai.anthropic.http.okhttp.AnthropicHttpClientBuilderCustomizer;
import org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llmthrottle.autoconfigure.LlmThrottleAutoConfiguration;
import dev.llmthrottle.autoconfigure.ThrottleListenerAutoConfiguration;
import dev.llmthrottle.autoconfigure.ThrottleSupportAutoConfiguration;
import dev.llmthrottle.autoconfigure.ThrottledClientReport;
import dev.llmthrottle.autoconfigure.ThrottledClientReportAutoConfiguration;
import dev.llmthrottle.autoconfigure.okhttp.LlmThrottleOkHttpAutoConfiguration;
import dev.llmthrottle.autoconfigure.springai.LlmThrottleSpringAiAutoConfiguration;
import dev.llmthrottle.autoconfigure.web.LlmThrottleExchangeAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What startup says about Spring AI's models: the providers covering their base URLs list
 * them, a model whose base URL no provider covers is warned about, and the customizers
 * are contributed only where Spring AI's classes and OkHttp are.
 */
class SpringAiStartupReportTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ThrottleSupportAutoConfiguration.class,
				ThrottleListenerAutoConfiguration.class, LlmThrottleAutoConfiguration.class,
				LlmThrottleExchangeAutoConfiguration.class, LlmThrottleOkHttpAutoConfiguration.class,
				LlmThrottleSpringAiAutoConfiguration.class, ThrottledClientReportAutoConfiguration.class))
		.withPropertyValues("llm.throttle.providers.openai.base-url=https://api.openai.com/v1",
				"llm.throttle.providers.openai.requests-per-minute=500");

	@Test
	void theDefaultOpenAiBaseUrlIsCoveredAndTheUncoveredAnthropicOneWarnedAbout() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(OpenAiHttpClientBuilderCustomizer.class)
				.hasSingleBean(AnthropicHttpClientBuilderCustomizer.class);
			ThrottledClientReport report = context.getBean(ThrottledClientReport.class);
			assertThat(report.coverage()).singleElement().asString().endsWith("covers: Spring AI OpenAI");
			assertThat(report.uncovered())
				.containsExactly("Spring AI Anthropic sends to https://api.anthropic.com, which no "
						+ "llm.throttle.providers.<name>.base-url covers: its calls are not throttled");
		});
	}

	@Test
	void aModelFamilySwitchedOffIsNeitherListedNorWarnedAbout() {
		this.runner
			.withPropertyValues("spring.ai.openai.base-url=https://gateway.example.com/openai/v1",
					"spring.ai.model.chat=none", "spring.ai.model.embedding=none", "spring.ai.model.image=none",
					"spring.ai.model.audio.speech=none", "spring.ai.model.audio.transcription=none",
					"spring.ai.model.moderation=none")
			.run((context) -> {
				ThrottledClientReport report = context.getBean(ThrottledClientReport.class);
				assertThat(report.uncovered()).isEmpty();
				assertThat(report.coverage()).singleElement().asString().doesNotContain("Spring AI");
			});
	}

	@Test
	void theBaseUrlIsReadAsSpringAiReadsIt() {
		this.runner
			.withPropertyValues("spring.ai.openai.base-url=https://gateway.example.com/openai/v1",
					"llm.throttle.providers.anthropic.base-url=https://api.anthropic.com",
					"llm.throttle.providers.anthropic.requests-per-minute=50")
			.run((context) -> {
				ThrottledClientReport report = context.getBean(ThrottledClientReport.class);
				assertThat(report.uncovered()).containsExactly("Spring AI OpenAI sends to "
						+ "https://gateway.example.com/openai/v1, which no llm.throttle.providers.<name>.base-url "
						+ "covers: its calls are not throttled");
				assertThat(report.coverage()).contains(
						"llm-throttle provider 'anthropic' (https://api.anthropic.com) covers: Spring AI Anthropic");
			});
	}

	@Test
	void withoutSpringAiAnthropicOnlyTheOpenAiCustomizerIsContributed() {
		this.runner.withClassLoader(new FilteredClassLoader(AnthropicHttpClientBuilderCustomizer.class))
			.run((context) -> assertThat(context).hasSingleBean(OpenAiHttpClientBuilderCustomizer.class)
				.doesNotHaveBean(AnthropicHttpClientBuilderCustomizer.class));
	}

	@Test
	void withoutOkHttpNothingIsContributed() {
		this.runner.withClassLoader(new FilteredClassLoader(okhttp3.Interceptor.class))
			.run((context) -> assertThat(context).doesNotHaveBean(OpenAiHttpClientBuilderCustomizer.class)
				.doesNotHaveBean(AnthropicHttpClientBuilderCustomizer.class));
	}

}
