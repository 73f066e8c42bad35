package dev.llmthrottle.autoconfigure.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.core.admission.LlmThrottlers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoints over HTTP in a reactive application with every auto-configuration of the
 * classpath (so also through the {@code AutoConfiguration.imports} entries): exposure,
 * the default read-only access of the write operation, JSON body binding and 400 answers
 * for invalid changes.
 */
@Timeout(60)
class LlmThrottleEndpointHttpTests {

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void readsStateAndRefusesWritesByDefault() throws Exception {
		try (ConfigurableApplicationContext context = start()) {
			HttpResponse<String> all = get(context, "/actuator/llmthrottle");
			assertThat(all.statusCode()).isEqualTo(200);
			JsonNode openai = this.json.readTree(all.body()).get("providers").get("openai");
			assertThat(openai.get("limits").get(0).get("configured").asLong()).isEqualTo(100);
			assertThat(openai.has("cooldown")).as("nulls are left out").isFalse();
			HttpResponse<String> one = get(context, "/actuator/llmthrottle/openai");
			assertThat(one.statusCode()).isEqualTo(200);
			assertThat(this.json.readTree(one.body()).get("partitions").get("total").asInt()).isEqualTo(1);
			assertThat(get(context, "/actuator/llmthrottle/nope").statusCode()).isEqualTo(404);
			assertThat(get(context, "/actuator/llmthrottleevents").statusCode()).isEqualTo(200);
			HttpResponse<String> health = get(context, "/actuator/health");
			assertThat(health.statusCode()).isEqualTo(200);
			assertThat(
					this.json.readTree(health.body()).at("/components/llmThrottle/components/openai/status").asString())
				.isEqualTo("UP");
			HttpResponse<String> write = post(context, "/actuator/llmthrottle/openai", "{\"requestsPerMinute\":20}");
			assertThat(write.statusCode()).isIn(404, 405);
			assertThat(context.getBean(LlmThrottlers.class).get("openai").policy().limits().get(0).amount())
				.isEqualTo(100);
		}
	}

	@Test
	void changesLimitsWhenAccessIsUnrestricted() throws Exception {
		try (ConfigurableApplicationContext context = start("management.endpoint.llmthrottle.access=unrestricted")) {
			HttpResponse<String> changed = post(context, "/actuator/llmthrottle/openai",
					"{\"requestsPerMinute\":20,\"limits\":\"5 requests per 1s\"}");
			assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
			JsonNode limits = this.json.readTree(changed.body()).get("limits");
			assertThat(limits.get(0).get("configured").asLong()).isEqualTo(20);
			assertThat(limits.get(1).get("period").asString()).isEqualTo("1s");
			HttpResponse<String> refused = post(context, "/actuator/llmthrottle/openai", "{\"requestsPerMinute\":0}");
			assertThat(refused.statusCode()).isEqualTo(400);
			assertThat(this.json.readTree(refused.body()).get("problems").get(0).asString())
				.isEqualTo("llm.throttle.providers.openai.requests-per-minute must be at least 1 but was 0");
			assertThat(post(context, "/actuator/llmthrottle/nope", "{\"requestsPerMinute\":1}").statusCode())
				.isEqualTo(404);
			assertThat(context.getBean(LlmThrottlers.class).get("openai").policy().limits().get(0).amount())
				.isEqualTo(20);
			HttpResponse<String> events = get(context, "/actuator/llmthrottleevents/openai");
			assertThat(this.json.readTree(events.body()).get("events").get(0).get("type").asString())
				.isEqualTo("limits-changed");
		}
	}

	private ConfigurableApplicationContext start(String... properties) {
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.REACTIVE)
			.properties("server.port=0", "spring.main.banner-mode=off",
					"llm.throttle.providers.openai.requests-per-minute=100",
					"management.endpoints.web.exposure.include=health,llmthrottle,llmthrottleevents",
					"management.endpoint.health.show-components=always")
			.properties(properties)
			.run();
	}

	private HttpResponse<String> get(ConfigurableApplicationContext context, String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(context, path)).timeout(Duration.ofSeconds(10)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(ConfigurableApplicationContext context, String path, String body)
			throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(context, path))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static URI uri(ConfigurableApplicationContext context, String path) {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		return URI.create("http://localhost:" + port + path);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class App {

	}

}
