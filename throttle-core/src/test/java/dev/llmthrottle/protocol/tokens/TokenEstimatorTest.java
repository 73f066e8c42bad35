package dev.llmthrottle.protocol.tokens;

import java.util.OptionalLong;

import com.knuddels.jtokkit.api.EncodingType;
import dev.llmthrottle.protocol.Dialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class TokenEstimatorTest {

	/** One counter for the class, as an application would share one. */
	private static final JtokkitTokenCounter COUNTER = new JtokkitTokenCounter();

	private static final long DEFAULT_OUTPUT = 256;

	private final TokenEstimator openAi = new OpenAiTokenEstimator(COUNTER, DEFAULT_OUTPUT);

	private final TokenEstimator heuristic = new HeuristicTokenEstimator(DEFAULT_OUTPUT, 1.2);

	@ParameterizedTest
	@CsvSource({ "gpt-4o,O200K_BASE", "gpt-4o-mini-2024-07-18,O200K_BASE", "o1-preview,O200K_BASE",
			"o3-mini,O200K_BASE", "o4-mini,O200K_BASE", "gpt-4.1-nano,O200K_BASE", "gpt-5,O200K_BASE",
			"chatgpt-4o-latest,O200K_BASE", "GPT-4O,O200K_BASE", "openai/gpt-4o,O200K_BASE",
			"ft:gpt-4o-mini:org::abc,O200K_BASE", "gpt-4,CL100K_BASE", "gpt-4-turbo,CL100K_BASE",
			"gpt-3.5-turbo,CL100K_BASE", "gpt-35-turbo,CL100K_BASE", "text-embedding-3-small,CL100K_BASE",
			"llama-3.1-70b,O200K_BASE", "my-azure-deployment,O200K_BASE" })
	void encodingByModelName(String model, EncodingType expected) {
		assertThat(JtokkitTokenCounter.encodingFor(model)).isEqualTo(expected);
	}

	@Test
	void unknownOrAbsentModelUsesO200k() {
		assertThat(JtokkitTokenCounter.encodingFor(null)).isEqualTo(EncodingType.O200K_BASE);
	}

	@Test
	void knownTokenCounts() {
		assertThat(COUNTER.count("hello world", EncodingType.CL100K_BASE)).isEqualTo(2);
		assertThat(COUNTER.count("hello world", EncodingType.O200K_BASE)).isEqualTo(2);
		assertThat(COUNTER.count("", "gpt-4o")).isZero();
		assertThat(COUNTER.count(null, "gpt-4o")).isZero();
	}

	@Test
	void specialTokenTextIsCountedAsOrdinaryTextAndNeverThrows() {
		long count = COUNTER.count("before <|endoftext|> after <|im_start|>", "gpt-4o");
		assertThat(count).isGreaterThan(5);
		TokenEstimate estimate = this.openAi.estimate("{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\","
				+ "\"content\":\"<|endoftext|><|fim_prefix|>\"}]}");
		assertThat(estimate.inputTokens()).isGreaterThan(6);
	}

	@Test
	void chatMessagesFollowTheCookbookFormula() {
		String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
				+ "{\"role\":\"user\",\"name\":\"alice\",\"content\":\"What is the capital of France?\"}],"
				+ "\"max_tokens\":100}";
		long expected = 3 + tokens("system") + tokens("You are terse.") + 3 + tokens("user") + tokens("alice") + 1
				+ tokens("What is the capital of France?") + 3;
		TokenEstimate estimate = this.openAi.estimate(body);
		assertThat(estimate.inputTokens()).isEqualTo(expected);
		assertThat(estimate.outputReservation()).isEqualTo(100);
		assertThat(estimate.maxOutputTokens()).hasValue(100);
		assertThat(estimate.totalTokens()).isEqualTo(expected + 100);
	}

	private static long tokens(String text) {
		return COUNTER.count(text, EncodingType.O200K_BASE);
	}

	@Test
	void structuredContentPartsCountTextAndImages() {
		String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
				+ "\"text\":\"Describe this\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,"
				+ "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\","
				+ "\"detail\":\"high\"}}]}]}";
		long expected = 3 + tokens("user") + tokens("Describe this") + OpenAiTokenEstimator.IMAGE_TOKENS + 3;
		assertThat(this.openAi.estimate(body).inputTokens()).isEqualTo(expected);
	}

	@Test
	void outputReservationPrefersMaxCompletionTokensAndMultipliesByChoices() {
		TokenEstimate estimate = this.openAi.estimate(
				"{\"model\":\"o3\",\"messages\":[],\"max_tokens\":50," + "\"max_completion_tokens\":400,\"n\":3}");
		assertThat(estimate.outputReservation()).isEqualTo(1200);
		assertThat(estimate.maxOutputTokens()).hasValue(400);
		assertThat(
				this.openAi.estimate("{\"messages\":[],\"max_tokens\":10,\"n\":2,\"best_of\":5}").outputReservation())
			.isEqualTo(50);
	}

	@Test
	void defaultOutputWhenTheRequestStatesNoMaximum() {
		TokenEstimate estimate = this.openAi.estimate("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\","
				+ "\"content\":\"hi\"}],\"n\":2,\"max_tokens\":0}");
		assertThat(estimate.outputReservation()).isEqualTo(2 * DEFAULT_OUTPUT);
		assertThat(estimate.maxOutputTokens()).isEmpty();
	}

	@Test
	void absurdChoiceCountsAreClamped() {
		assertThat(this.openAi.estimate("{\"messages\":[],\"max_tokens\":9223372036854775807,\"n\":1000000}")
			.outputReservation()).isEqualTo(Long.MAX_VALUE);
		assertThat(this.openAi.estimate("{\"messages\":[],\"max_tokens\":10,\"n\":1000000}").outputReservation())
			.isEqualTo(10 * RequestBodies.MAX_CHOICES);
	}

	@Test
	void toolsAreCountedAsTheirJson() {
		String tools = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":"
				+ "\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";
		long without = this.openAi.estimate("{\"messages\":[]}").inputTokens();
		long with = this.openAi.estimate("{\"messages\":[],\"tools\":" + tools + "}").inputTokens();
		assertThat(with - without).isEqualTo(tokens(tools));
	}

	@Test
	void responsesAndEmbeddingsBodies() {
		TokenEstimate responses = this.openAi.estimate("{\"model\":\"gpt-4.1\",\"instructions\":\"Be brief.\","
				+ "\"input\":\"Tell me a joke\",\"max_output_tokens\":64}");
		assertThat(responses.inputTokens()).isEqualTo(tokens("Tell me a joke") + tokens("Be brief."));
		assertThat(responses.outputReservation()).isEqualTo(64);
		TokenEstimate embedding = this.openAi
			.estimate("{\"model\":\"text-embedding-3-small\",\"input\":[\"a b\"," + "\"c\"]}");
		assertThat(embedding.outputReservation()).isZero();
		assertThat(embedding.inputTokens()).isPositive();
		TokenEstimate preTokenized = this.openAi
			.estimate("{\"model\":\"text-embedding-3-small\",\"input\":[[1,2,3]," + "[4,5]]}");
		assertThat(preTokenized.inputTokens()).isEqualTo(5);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{not json at all", "[1,2,3]", "\"just a string\"", "12345678" })
	void malformedBodiesFallBackToCharsOverFour(String body) {
		TokenEstimate estimate = this.openAi.estimate(body);
		assertThat(estimate.inputTokens()).isEqualTo((body.length() + 3) / 4);
		assertThat(estimate.outputReservation()).isEqualTo(DEFAULT_OUTPUT);
		assertThat(estimate.maxOutputTokens()).isEmpty();
	}

	@Test
	void nullAndEmptyBodies() {
		assertThat(this.openAi.estimate(null)).isEqualTo(new TokenEstimate(0, DEFAULT_OUTPUT, OptionalLong.empty()));
		assertThat(this.heuristic.estimate("")).isEqualTo(new TokenEstimate(0, DEFAULT_OUTPUT, OptionalLong.empty()));
	}

	@Test
	void anthropicHeuristicIsCharsOverFourTimesTheSafetyFactorPlusMessageOverhead() {
		String system = "You are a careful assistant."; // 28 chars
		String user = "Summarise the following text in one line please."; // 49 chars
		String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"system\":\"" + system + "\","
				+ "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + user + "\"}]}]}";
		TokenEstimate estimate = this.heuristic.estimate(body);
		long expected = (long) Math.ceil((system.length() + user.length()) / 4.0 * 1.2) + 3;
		assertThat(estimate.inputTokens()).isEqualTo(expected);
		assertThat(estimate.maxOutputTokens()).hasValue(1024);
		assertThat(estimate.outputReservation()).isEqualTo(1024);
	}

	@Test
	void base64ImagesCountAsImagesNotText() {
		String data = "A1b2".repeat(10_000);
		String body = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":"
				+ "\"base64\",\"media_type\":\"image/png\",\"data\":\"" + data + "\"}}]}]}";
		assertThat(this.heuristic.estimate(body).inputTokens()).isEqualTo(HeuristicTokenEstimator.IMAGE_TOKENS + 3);
	}

	@Test
	void cjkTextIsWeightedHigherThanChars() {
		assertThat(HeuristicTokenEstimator.weightedTokens("abcd")).isEqualTo(1.0);
		assertThat(HeuristicTokenEstimator.weightedTokens("\u4f60\u597d\u4e16\u754c")).isEqualTo(4.0);
		assertThat(HeuristicTokenEstimator.weightedTokens("\u00e9t\u00e9")).isEqualTo(1.25);
		assertThat(HeuristicTokenEstimator.weightedTokens("\ud83d\ude00")).isEqualTo(1.0);
		assertThat(HeuristicTokenEstimator.weightedTokens(null)).isZero();
	}

	@Test
	void geminiContentsAndGenerationConfig() {
		String body = "{\"systemInstruction\":{\"parts\":[{\"text\":\"Be nice.\"}]},\"contents\":[{\"role\":\"user\","
				+ "\"parts\":[{\"text\":\"Hello there, Gemini!\"},{\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":"
				+ "\"/9j/4AAQSkZJRgABAQ\"}}]}],\"generationConfig\":{\"maxOutputTokens\":200,\"candidateCount\":2}}";
		TokenEstimate estimate = this.heuristic.estimate(body);
		long text = (long) Math.ceil(("Be nice.".length() + "Hello there, Gemini!".length()) / 4.0 * 1.2);
		assertThat(estimate.inputTokens()).isEqualTo(text + 3 + HeuristicTokenEstimator.IMAGE_TOKENS);
		assertThat(estimate.maxOutputTokens()).hasValue(200);
		assertThat(estimate.outputReservation()).isEqualTo(400);
	}

	@Test
	void heuristicMalformedBodyIsWeightedRawTextTimesTheFactor() {
		String body = "{\"messages\": [ broken";
		assertThat(this.heuristic.estimate(body).inputTokens()).isEqualTo((long) Math.ceil(body.length() / 4.0 * 1.2));
	}

	@Test
	void forDialectPicksTheTokenizerForOpenAiAndAzureOnly() {
		for (Dialect dialect : Dialect.values()) {
			TokenEstimator estimator = TokenEstimator.forDialect(dialect, COUNTER, 10, 1.5);
			if (dialect == Dialect.OPENAI || dialect == Dialect.AZURE) {
				assertThat(estimator).isInstanceOf(OpenAiTokenEstimator.class);
			}
			else {
				assertThat(estimator).isInstanceOf(HeuristicTokenEstimator.class);
			}
		}
	}

	@Test
	void invalidSettingsAreRejectedAtConstruction() {
		assertThatIllegalArgumentException().isThrownBy(() -> new HeuristicTokenEstimator(10, 0.5));
		assertThatIllegalArgumentException().isThrownBy(() -> new HeuristicTokenEstimator(10, Double.NaN));
		assertThatIllegalArgumentException().isThrownBy(() -> new HeuristicTokenEstimator(-1, 1.2));
		assertThatIllegalArgumentException().isThrownBy(() -> new OpenAiTokenEstimator(COUNTER, -1));
	}

}
