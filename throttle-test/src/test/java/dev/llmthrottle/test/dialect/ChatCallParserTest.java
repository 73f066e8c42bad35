package dev.llmthrottle.test.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChatCallParserTest {

	private final ChatCallParser parser = new ChatCallParser(256);

	private static byte[] b(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	@Test
	void openAiPromptIsCharsOverFourPlusMessageOverhead() throws Exception {
		// "Hello" = 5 chars -> 2 tokens; "You are terse." = 14 -> 4; +3 per message, +1
		// for name, +3 priming
		ChatCall call = parser
			.openAi(b("{\"model\":\"gpt-4o\",\"messages\":[" + "{\"role\":\"system\",\"content\":\"You are terse.\"},"
					+ "{\"role\":\"user\",\"name\":\"bob\",\"content\":[{\"type\":\"text\",\"text\":\"Hello\"}]}],"
					+ "\"max_tokens\":100,\"n\":2,\"stream\":true,\"stream_options\":{\"include_usage\":true}}"));
		assertThat(call.promptTokens()).isEqualTo(4 + 3 + 2 + 3 + 1 + 3);
		assertThat(call.maxTokens()).isEqualTo(100);
		assertThat(call.choices()).isEqualTo(2);
		assertThat(call.stream()).isTrue();
		assertThat(call.includeUsage()).isTrue();
		assertThat(call.model()).isEqualTo("gpt-4o");
	}

	@Test
	void openAiMaxCompletionTokensWinsAndTheDefaultFillsIn() throws Exception {
		assertThat(parser
			.openAi(b("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
					+ "\"max_tokens\":100,\"max_completion_tokens\":40}"))
			.maxTokens()).isEqualTo(40);
		assertThat(parser.openAi(b("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")).maxTokens())
			.isEqualTo(256);
	}

	@Test
	void anthropicCountsTheSystemPromptAsAMessage() throws Exception {
		ChatCall call = parser.anthropic(b("{\"model\":\"claude\",\"max_tokens\":50,\"system\":\"Be brief.\","
				+ "\"messages\":[{\"role\":\"user\",\"content\":\"Hi there\"}]}"));
		assertThat(call.promptTokens()).isEqualTo(3 + 3 + 2 + 3 + 3);
		assertThat(call.maxTokens()).isEqualTo(50);
		assertThat(call.choices()).isEqualTo(1);
	}

	@Test
	void rejectsMalformedRequests() {
		assertThatThrownBy(() -> parser.openAi(b("not json"))).isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> parser.openAi(b("{\"messages\":[]}"))).isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> parser.openAi(b("{\"messages\":[{\"content\":\"x\"}],\"max_tokens\":0}")))
			.isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> parser.anthropic(b("{\"max_tokens\":5}"))).isInstanceOf(InvalidRequestException.class);
	}

	@Test
	void sameBodySameFingerprint() {
		assertThat(ChatCallParser.fingerprint(b("{\"a\":1}"))).isEqualTo(ChatCallParser.fingerprint(b("{\"a\":1}")))
			.isNotEqualTo(ChatCallParser.fingerprint(b("{\"a\":2}")));
	}

}
