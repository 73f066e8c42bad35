package dev.llmthrottle.sample;

import java.util.ArrayList;
import java.util.List;

import com.openai.client.OpenAIClient;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import dev.llmthrottle.sample.batch.BatchRunner;
import dev.llmthrottle.sample.simulated.SimulatedProviders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 13: {@code --sample.client} runs the same batch, with the same {@code SUMMARY}
 * line, through each client an application uses. Spring AI's and openai-java's calls are
 * not throttled by this branch (the starter's OkHttp and SDK integrations are), so for
 * them the test checks that the calls go through that client to the simulator, not that
 * none failed.
 */
class SampleClientsTests {

	private static final int COUNT = 6;

	@Test
	void defaultRunKeepsSpringAiAndOpenAiJavaOut() {
		try (ConfigurableApplicationContext context = run()) {
			assertThat(context.getBeanProvider(ChatModel.class).getIfAvailable()).isNull();
			assertThat(context.getBeanProvider(OpenAIClient.class).getIfAvailable()).isNull();
			assertThat(summary(context)).startsWith("SUMMARY provider=openai-sim requests=6 succeeded=6 failed=0");
		}
	}

	@Test
	void restClientPathIsThrottledByTheStartersInterceptor() {
		try (ConfigurableApplicationContext context = run("--sample.client=restclient")) {
			assertThat(summary(context)).startsWith("SUMMARY provider=openai-sim requests=6 succeeded=6 failed=0");
			assertThat(received(context)).isGreaterThanOrEqualTo(COUNT);
		}
	}

	@Test
	void springAiPathCallsThroughTheOpenAiChatModel() {
		try (ConfigurableApplicationContext context = run("--sample.client=spring-ai")) {
			assertThat(context.getBean(ChatModel.class).getClass().getName())
				.isEqualTo("org.springframework.ai.openai.OpenAiChatModel");
			assertThat(context.getBeanProvider(OpenAIClient.class).getIfAvailable()).isNull();
			assertThat(summary(context)).startsWith("SUMMARY provider=openai-sim requests=6 ");
			assertThat(calls(summary(context))).isEqualTo(COUNT);
			assertThat(received(context)).isGreaterThanOrEqualTo(COUNT);
		}
	}

	@Test
	void openAiJavaPathCallsThroughTheOpenAiClientBean() {
		try (ConfigurableApplicationContext context = run("--sample.client=openai-java")) {
			assertThat(context.getBeanProvider(ChatModel.class).getIfAvailable()).isNull();
			assertThat(context.getBean(OpenAIClient.class)).isNotNull();
			assertThat(summary(context)).startsWith("SUMMARY provider=openai-sim requests=6 ");
			assertThat(calls(summary(context))).isEqualTo(COUNT);
			assertThat(received(context)).isGreaterThanOrEqualTo(COUNT);
		}
	}

	@Test
	void anOpenAiSdkClientRefusesAnAnthropicProvider() {
		assertThatThrownBy(() -> run("--sample.client=openai-java", "--sample.batch.provider=anthropic-sim").close())
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("sample.client=openai-java")
			.hasMessageContaining("anthropic dialect");
	}

	private static ConfigurableApplicationContext run(String... extra) {
		List<String> args = new ArrayList<>(List.of("--sample.batch.count=" + COUNT, "--sample.batch.exit=false",
				"--sample.batch.progress-interval=1s", "--sample.batch.output=target/sample-output/clients.jsonl",
				"--sample.simulated.latency=10ms", "--sample.simulated.latency-per-token=0ms",
				"--sample.simulated.latency-jitter=0ms", "--sample.simulated.warm-up-requests=0", "--server.port=0"));
		args.addAll(List.of(extra));
		return SpringApplication.run(SampleApplication.class, args.toArray(String[]::new));
	}

	private static String summary(ConfigurableApplicationContext context) {
		return context.getBean(BatchRunner.class).summary().line();
	}

	/** Succeeded plus failed, from the SUMMARY line. */
	private static long calls(String summary) {
		return number(summary, "succeeded=") + number(summary, "failed=");
	}

	private static long number(String summary, String name) {
		int at = summary.indexOf(" " + name) + name.length() + 1;
		int end = summary.indexOf(' ', at);
		return Long.parseLong(summary.substring(at, end));
	}

	private static long received(ConfigurableApplicationContext context) {
		return context.getBean(SimulatedProviders.class).get("openai-sim").orElseThrow().stats().received();
	}

}
