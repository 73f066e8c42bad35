package dev.llmthrottle.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.llmthrottle.autoconfigure.InvalidThrottleConfigurationException.Problem;

import static org.assertj.core.api.Assertions.assertThat;

class InvalidThrottleConfigurationFailureAnalyzerTests {

	@Test
	void describesEveryProblemOnItsOwnLineAndSaysWhatToDo() {
		InvalidThrottleConfigurationException ex = new InvalidThrottleConfigurationException(List.of(
				new Problem("llm.throttle.providers.openai.requests-per-minute", "must be at least 1 but was 0"),
				new Problem("llm.throttle.providers.openai.max-wait", "must not be negative but was -1s")));
		FailureAnalysis analysis = StartupFailures
			.analyze(new BeanCreationException("llmThrottleProviderDefinitions", "failed", ex));
		assertThat(analysis).isNotNull();
		assertThat(analysis.getDescription().lines()).contains(
				"    llm.throttle.providers.openai.requests-per-minute must be at least 1 but was 0",
				"    llm.throttle.providers.openai.max-wait must not be negative but was -1s");
		assertThat(analysis.getAction()).contains("llm.throttle.*").contains("@LlmThrottled");
		assertThat(analysis.getCause()).isSameAs(ex);
	}

	@Test
	void oneProblemIsTheWholeMessage() {
		InvalidThrottleConfigurationException ex = new InvalidThrottleConfigurationException(
				List.of(new Problem("llm.throttle.providers.openai", "has no limit")));
		assertThat(ex).hasMessage("llm.throttle.providers.openai has no limit");
	}

}
