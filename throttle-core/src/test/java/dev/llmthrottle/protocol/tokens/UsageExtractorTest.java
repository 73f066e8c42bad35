package dev.llmthrottle.protocol.tokens;

import java.util.OptionalLong;

import dev.llmthrottle.protocol.Dialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class UsageExtractorTest {

	@Test
	void openAiChatCompletion() {
		String body = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
				+ "{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":"
				+ "19,\"completion_tokens\":10,\"total_tokens\":29,\"prompt_tokens_details\":{\"cached_tokens\":4},"
				+ "\"completion_tokens_details\":{\"reasoning_tokens\":6}}}";
		Usage usage = UsageExtractor.extract(body, Dialect.OPENAI).orElseThrow();
		assertThat(usage).isEqualTo(new Usage(19, 10, OptionalLong.of(4)));
		assertThat(usage.totalTokens()).isEqualTo(29);
	}

	@Test
	void openAiResponses() {
		String body = "{\"id\":\"resp_1\",\"object\":\"response\",\"output\":[],\"usage\":{\"input_tokens\":36,"
				+ "\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":87,\"output_tokens_details\":"
				+ "{\"reasoning_tokens\":0},\"total_tokens\":123}}";
		assertThat(UsageExtractor.extract(body, Dialect.OPENAI)).hasValue(new Usage(36, 87, OptionalLong.of(0)));
	}

	@Test
	void anthropicCountsCacheCreationAsInputAndReportsCacheReads() {
		String body = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\","
				+ "\"text\":\"Hi\"}],\"usage\":{\"input_tokens\":21,\"cache_creation_input_tokens\":188086,"
				+ "\"cache_read_input_tokens\":1000,\"output_tokens\":393}}";
		assertThat(UsageExtractor.extract(body, Dialect.ANTHROPIC))
			.hasValue(new Usage(188_107, 393, OptionalLong.of(1000)));
	}

	@Test
	void gemini() {
		String body = "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}]},\"finishReason\":\"STOP\"}],"
				+ "\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":30,\"thoughtsTokenCount\":100,"
				+ "\"cachedContentTokenCount\":2,\"totalTokenCount\":142}}";
		assertThat(UsageExtractor.extract(body, Dialect.GEMINI)).hasValue(new Usage(12, 130, OptionalLong.of(2)));
		assertThat(UsageExtractor.extract(body, Dialect.GENERIC)).hasValue(new Usage(12, 130, OptionalLong.of(2)));
	}

	@Test
	void geminiArrayOfChunksUsesTheLastUsage() {
		String body = "[{\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":1}},"
				+ "{\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":40}},{\"candidates\":[]}]";
		assertThat(UsageExtractor.extract(body, Dialect.GEMINI)).hasValue(Usage.of(12, 40));
	}

	@Test
	void openAiCompatibleProvidersAndEmbeddings() {
		assertThat(UsageExtractor.extract("{\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}", Dialect.OPENAI))
			.hasValue(Usage.of(8, 0));
		assertThat(UsageExtractor.extract(
				"{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"prompt_cache_hit_tokens\":3}}",
				Dialect.GENERIC))
			.hasValue(Usage.of(10, 5));
	}

	@Test
	void bytesAreAcceptedToo() {
		byte[] body = "{\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}"
			.getBytes(java.nio.charset.StandardCharsets.UTF_8);
		assertThat(UsageExtractor.extract(body, Dialect.ANTHROPIC)).hasValue(Usage.of(1, 2));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "   ", "{", "not json", "null", "[]", "42", "{\"usage\":null}", "{\"usage\":{}}",
			"{\"usage\":\"lots\"}", "{\"usage\":{\"prompt_tokens\":-5}}", "{\"usage\":{\"prompt_tokens\":\"12\"}}",
			"{\"usage\":{\"prompt_tokens\":1.5}}", "{\"usage\":{\"prompt_tokens\":1e400}}",
			"{\"usage\":{\"prompt_tokens\":99999999999999999999999}}", "{\"usageMetadata\":{\"totalTokenCount\":5}}",
			"{\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"usage\":null}" })
	void noUsableUsage(String body) {
		for (Dialect dialect : Dialect.values()) {
			assertThat(UsageExtractor.extract(body, dialect)).as(dialect.id()).isEmpty();
		}
	}

	@ParameterizedTest
	@EnumSource(Dialect.class)
	void nullBodyAndNullDialect(Dialect dialect) {
		assertThat(UsageExtractor.extract((String) null, dialect)).isEmpty();
		assertThat(UsageExtractor.extract((byte[]) null, dialect)).isEmpty();
		assertThat(UsageExtractor.extract("{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}", null))
			.hasValue(Usage.of(1, 2));
	}

	@Test
	void wholeNumberFloatsAreAccepted() {
		assertThat(
				UsageExtractor.extract("{\"usage\":{\"prompt_tokens\":12.0,\"completion_tokens\":3}}", Dialect.OPENAI))
			.hasValue(Usage.of(12, 3));
	}

}
