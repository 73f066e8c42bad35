package dev.llmthrottle.protocol;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.Consumer;

import dev.llmthrottle.protocol.tokens.HeuristicTokenEstimator;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;
import dev.llmthrottle.protocol.tokens.OpenAiTokenEstimator;
import dev.llmthrottle.protocol.tokens.StreamUsageTracker;
import dev.llmthrottle.protocol.tokens.TokenEstimate;
import dev.llmthrottle.protocol.tokens.Usage;
import dev.llmthrottle.protocol.tokens.UsageExtractor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random garbage, and mutations of real shapes, fed to every parser, the resolver,
 * the classifier, usage extraction and estimation: nothing may throw, and every duration
 * produced must lie within [0, cap]. A failure names its seed; rerun it with
 * {@link #SEEDS} narrowed to that seed.
 */
class RandomizedRobustnessTest {

	/** Seeds {@code 0 .. SEEDS-1} run on every build. */
	static final int SEEDS = 1_000;

	private static final JtokkitTokenCounter COUNTER = new JtokkitTokenCounter();

	private static final long[] CAPS = { 0, 1, 1_000, 120_000, 86_400_000, Long.MAX_VALUE };

	private static final String[] SAMPLES = { "6m0s", "1h2m3.5s", "2m59.56s", "250ms", "0s", "800us", "1.5\u00b5s", "7",
			"1.5", "0", "-5", "NaN", "Infinity", "99999999999", "Sun, 01 Mar 2026 12:00:30 GMT",
			"Sunday, 01-Mar-26 12:00:30 GMT", "Sun Mar  1 12:00:30 2026", "2026-03-01T12:00:01Z", "1772366430000",
			"\"37s\"", "0.250s", "1.000340012s", "Please try again in 1.146s.", "Please retry after 6 seconds.",
			"Please retry in 49.484914876s.", "try again in 1m30s", "5m-2s", "1e3s", "3 s", "9223372036854775807",
			"-9223372036854775808", "18446744073709551616", "\u0000", "\ud800", "<|endoftext|>" };

	private static final String[] PHRASES = { "Please try again in ", "Please retry after ", "retry in ",
			"Request too large for gpt-4o (TPM): Limit 30000, Requested ", "Limit 1, Requested ",
			"You have reached your specified API usage limits ", "Output tokens per minute ",
			"Rate limit reached on requests per min (RPM) ", "Bearer ", "sk-" };

	private static final String[] HEADER_NAMES = { "retry-after", "retry-after-ms", "x-should-retry",
			"x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
			"x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
			"x-ratelimit-limit-input-tokens", "x-ratelimit-remaining-output-tokens", "x-ratelimit-limit",
			"x-ratelimit-remaining", "x-ratelimit-reset", "x-tokenlimit-limit", "x-tokenlimit-remaining",
			"anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-remaining",
			"anthropic-ratelimit-requests-reset", "anthropic-ratelimit-tokens-remaining",
			"anthropic-ratelimit-input-tokens-reset", "anthropic-ratelimit-output-tokens-limit",
			"anthropic-ratelimit-output-tokens-remaining", "anthropic-ratelimit-output-tokens-reset" };

	private static final String[] JSON_KEYS = { "error", "message", "type", "code", "status", "details", "@type",
			"retryDelay", "violations", "quotaId", "error_code", "usage", "usageMetadata", "prompt_tokens",
			"completion_tokens", "input_tokens", "output_tokens", "cache_creation_input_tokens",
			"cache_read_input_tokens", "promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount",
			"prompt_tokens_details", "cached_tokens", "response", "message_start", "message_delta", "candidates",
			"finishReason", "model", "messages", "role", "content", "text", "name", "max_tokens",
			"max_completion_tokens", "n", "best_of", "tools", "system", "contents", "parts", "generationConfig",
			"maxOutputTokens", "candidateCount", "input", "prompt", "image_url", "inlineData", "data", "seconds",
			"nanos" };

	private static final String[] JSON_STRINGS = { "rate_limit_error", "insufficient_quota", "credit_balance_exhausted",
			"enforced_spend_limit_reached", "overloaded_error", "slow_down", "tokens", "requests", "error",
			"message_start", "message_delta", "response.completed", "type.googleapis.com/google.rpc.RetryInfo",
			"type.googleapis.com/google.rpc.QuotaFailure", "GenerateRequestsPerDayPerProjectPerModel",
			"GenerateContentInputTokensPerModelPerMinute", "Request too large for gpt-4o: Limit 30000, Requested 41250",
			"reached your specified API usage limits", "Output tokens per minute", "gpt-4o", "gpt-3.5-turbo",
			"image_url", "image", "text", "user", "STOP", "Resource exhausted, please try again later.",
			"sk-proj-abcdefghijklmnop0123456789" };

	@Test
	void timeParsersNeverThrowAndNeverGoNegative() {
		forEachSeed((random) -> {
			Instant now = now(random);
			for (int i = 0; i < 20; i++) {
				String value = garbage(random);
				nonNegative(TimeParsers.goDurationMillis(value));
				nonNegative(TimeParsers.goDurationNanos(value));
				nonNegative(TimeParsers.secondsMillis(value));
				nonNegative(TimeParsers.millisValue(value));
				nonNegative(TimeParsers.retryAfterMillis(value, now));
				nonNegative(TimeParsers.protobufDurationNanos(value));
				nonNegative(TimeParsers.protobufDurationMillis(value));
				nonNegative(TimeParsers.textHintMillis(value));
				TimeParsers.httpDate(value, now);
				TimeParsers.rfc3339(value).ifPresent((instant) -> nonNegative(TimeParsers.untilMillis(instant, now)));
				TimeParsers.epochMillis(value);
			}
		});
	}

	@Test
	void rateLimitSnapshotsAreConsistent() {
		forEachSeed((random) -> {
			ProtocolHeaders headers = headers(random);
			Instant now = now(random);
			for (Dialect dialect : Dialect.values()) {
				RateLimitSnapshot snapshot = RateLimitHeaders.parse(headers, dialect, now);
				for (DimensionState state : snapshot.dimensions().values()) {
					state.limit().ifPresent((limit) -> assertThat(limit).isPositive());
					state.remaining().ifPresent((remaining) -> {
						assertThat(remaining).isNotNegative();
						state.limit().ifPresent((limit) -> assertThat(remaining).isLessThanOrEqualTo(limit));
					});
					nonNegative(state.resetMillis());
					assertThat(state.limit().isPresent() || state.remaining().isPresent()
							|| state.resetMillis().isPresent())
						.isTrue();
					assertThat(state.resetMillis().orElse(0)).isLessThanOrEqualTo(TimeParsers.HORIZON.toMillis());
				}
			}
		});
	}

	@Test
	void hintsStayWithinTheCap() {
		forEachSeed((random) -> {
			ProtocolHeaders headers = headers(random);
			String body = body(random);
			long cap = CAPS[random.nextInt(CAPS.length)];
			Instant now = now(random);
			for (Dialect dialect : Dialect.values()) {
				RetryHintResolver.resolve(headers, body, dialect, now, cap).ifPresent((hint) -> withinCap(hint, cap));
			}
		});
	}

	@Test
	void classificationNeverThrowsAndStaysWithinTheCap() {
		forEachSeed((random) -> {
			ProtocolHeaders headers = headers(random);
			String body = body(random);
			long cap = CAPS[random.nextInt(CAPS.length)];
			Instant now = now(random);
			int status = random.nextBoolean() ? 400 + random.nextInt(200) : random.nextInt(1_100) - 50;
			for (Dialect dialect : Dialect.values()) {
				Classification verdict = ErrorClassifier.classify(status, headers, body, dialect, now, cap);
				checkVerdict(verdict, cap);
				if (status < 400) {
					assertThat(verdict.category()).isEqualTo(ErrorCategory.SUCCESS);
				}
				checkVerdict(ErrorClassifier.classifyStreamEvent(body, dialect, now, cap), cap);
			}
		});
	}

	@Test
	void usageIsNeverNegativeAndNeverThrows() {
		forEachSeed((random) -> {
			String body = body(random);
			byte[] bytes = bytes(random);
			for (Dialect dialect : Dialect.values()) {
				UsageExtractor.extract(body, dialect).ifPresent(RandomizedRobustnessTest::validUsage);
				UsageExtractor.extract(bytes, dialect).ifPresent(RandomizedRobustnessTest::validUsage);
			}
			StreamUsageTracker tracker = new StreamUsageTracker(
					Dialect.values()[random.nextInt(Dialect.values().length)]);
			int events = 1 + random.nextInt(8);
			for (int i = 0; i < events; i++) {
				tracker.onData(random.nextBoolean() ? body(random) : "data: " + body(random));
			}
			tracker.finalUsage().ifPresent(RandomizedRobustnessTest::validUsage);
			tracker.partialUsage().ifPresent(RandomizedRobustnessTest::validUsage);
		});
	}

	@Test
	void estimatesAreNeverNegativeAndNeverThrow() {
		OpenAiTokenEstimator openAi = new OpenAiTokenEstimator(COUNTER, 512);
		HeuristicTokenEstimator heuristic = new HeuristicTokenEstimator(512, 1.2);
		forEachSeed((random) -> {
			String body = body(random);
			validEstimate(openAi.estimate(body));
			validEstimate(heuristic.estimate(body));
			String raw = new String(bytes(random), StandardCharsets.UTF_8);
			validEstimate(openAi.estimate(raw));
			validEstimate(heuristic.estimate(raw));
			assertThat(COUNTER.count(raw, "gpt-4")).isNotNegative();
		});
	}

	@Test
	void redactionIsBounded() {
		forEachSeed((random) -> {
			int max = 1 + random.nextInt(400);
			String text = body(random) + garbage(random);
			assertThat(SecretRedactor.safeReason(text, max)).hasSizeLessThanOrEqualTo(max).doesNotContain("\n");
			SecretRedactor.redact(text);
		});
	}

	private static void forEachSeed(Consumer<Random> check) {
		for (int seed = 0; seed < SEEDS; seed++) {
			try {
				check.accept(new Random(seed));
			}
			catch (Throwable failure) {
				throw new AssertionError("failing seed " + seed + ": " + failure, failure);
			}
		}
	}

	private static void checkVerdict(Classification verdict, long cap) {
		assertThat(verdict).isNotNull();
		verdict.hint().ifPresent((hint) -> withinCap(hint, cap));
		assertThat(verdict.reason()).hasSizeLessThanOrEqualTo(SecretRedactor.DEFAULT_MAX_LENGTH)
			.doesNotContain("\n")
			.doesNotContain("abcdefghijklmnop0123456789");
		if (verdict.category() == ErrorCategory.RETRY_AFTER_HINT) {
			assertThat(verdict.hint()).isPresent();
		}
	}

	private static void withinCap(RetryHint hint, long cap) {
		assertThat(hint.delayMillis()).isBetween(0L, cap);
		assertThat(hint.requestedMillis()).isGreaterThanOrEqualTo(hint.delayMillis()).isPositive();
		assertThat(hint.exceedsCap()).isEqualTo(hint.requestedMillis() > cap);
	}

	private static void nonNegative(OptionalLong value) {
		value.ifPresent((millis) -> assertThat(millis).isNotNegative());
	}

	private static void validUsage(Usage usage) {
		assertThat(usage.inputTokens()).isNotNegative();
		assertThat(usage.outputTokens()).isNotNegative();
		assertThat(usage.totalTokens()).isNotNegative();
	}

	private static void validEstimate(TokenEstimate estimate) {
		assertThat(estimate.inputTokens()).isNotNegative();
		assertThat(estimate.outputReservation()).isNotNegative();
		assertThat(estimate.totalTokens()).isNotNegative();
	}

	private static Instant now(Random random) {
		switch (random.nextInt(20)) {
			case 0:
				return Instant.MAX;
			case 1:
				return Instant.MIN;
			case 2:
				return Instant.EPOCH;
			default:
				return Instant.parse("2026-03-01T12:00:00Z").plusMillis(random.nextLong() % 3_000_000_000_000L);
		}
	}

	private static ProtocolHeaders headers(Random random) {
		Map<String, List<String>> raw = new LinkedHashMap<>();
		int count = random.nextInt(12);
		for (int i = 0; i < count; i++) {
			String name = HEADER_NAMES[random.nextInt(HEADER_NAMES.length)];
			if (random.nextBoolean()) {
				name = name.toUpperCase(Locale.ROOT);
			}
			if (random.nextInt(10) == 0) {
				name = garbage(random);
			}
			List<String> values = new ArrayList<>();
			int valueCount = 1 + random.nextInt(2);
			for (int v = 0; v < valueCount; v++) {
				values.add(random.nextInt(8) == 0 ? null : value(random));
			}
			raw.put(name, values);
		}
		return ProtocolHeaders.of(raw);
	}

	/** A header value: a real sample, a mutated one, a number, or garbage. */
	private static String value(Random random) {
		switch (random.nextInt(6)) {
			case 5:
				return "0";
			case 0:
				return SAMPLES[random.nextInt(SAMPLES.length)];
			case 1:
				return mutate(random, SAMPLES[random.nextInt(SAMPLES.length)]);
			case 2:
				return Long.toString(random.nextLong() % (random.nextBoolean() ? 100_000 : Long.MAX_VALUE));
			case 3:
				return (random.nextBoolean() ? "" : "-") + random.nextInt(100) + "." + random.nextInt(1000);
			default:
				return garbage(random);
		}
	}

	private static String garbage(Random random) {
		switch (random.nextInt(5)) {
			case 0: {
				StringBuilder text = new StringBuilder();
				int length = random.nextInt(40);
				for (int i = 0; i < length; i++) {
					text.append((char) (32 + random.nextInt(95)));
				}
				return text.toString();
			}
			case 1: {
				StringBuilder text = new StringBuilder();
				int length = random.nextInt(30);
				for (int i = 0; i < length; i++) {
					text.append((char) random.nextInt(0x10000));
				}
				return text.toString();
			}
			case 2:
				return new String(bytes(random),
						random.nextBoolean() ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
			case 3: {
				StringBuilder text = new StringBuilder();
				int parts = random.nextInt(6);
				String[] atoms = { "1", "0", "9", ".", "-", "+", "e", "h", "m", "s", "ms", "us", "\u00b5", "ns", " ",
						"NaN", "Inf", ":", ",", "GMT", "T", "Z" };
				for (int i = 0; i < parts; i++) {
					text.append(atoms[random.nextInt(atoms.length)]);
				}
				return text.toString();
			}
			default:
				return mutate(random, SAMPLES[random.nextInt(SAMPLES.length)]);
		}
	}

	private static byte[] bytes(Random random) {
		byte[] bytes = new byte[random.nextInt(200)];
		random.nextBytes(bytes);
		return bytes;
	}

	private static String mutate(Random random, String sample) {
		StringBuilder text = new StringBuilder(sample);
		int edits = 1 + random.nextInt(3);
		for (int i = 0; i < edits && text.length() > 0; i++) {
			int at = random.nextInt(text.length());
			switch (random.nextInt(3)) {
				case 0:
					text.deleteCharAt(at);
					break;
				case 1:
					text.insert(at, (char) (32 + random.nextInt(95)));
					break;
				default:
					text.setCharAt(at, (char) random.nextInt(0x3000));
					break;
			}
		}
		return text.toString();
	}

	/**
	 * A body: random JSON built from the protocol's vocabulary, sometimes broken, or
	 * garbage.
	 */
	private static String body(Random random) {
		switch (random.nextInt(8)) {
			case 0:
				return garbage(random);
			case 1:
				return mutate(random, (random.nextBoolean() ? json(random, 0) : shaped(random)));
			case 2:
				return null;
			case 3:
			case 4:
				return json(random, 0);
			default:
				return shaped(random);
		}
	}

	/** A provider-shaped error or usage body whose fields are random. */
	private static String shaped(Random random) {
		String message = quote(random.nextBoolean() ? JSON_STRINGS[random.nextInt(JSON_STRINGS.length)]
				: PHRASES[random.nextInt(PHRASES.length)] + value(random));
		switch (random.nextInt(5)) {
			case 0:
				return "{\"error\":{\"message\":" + message + ",\"type\":" + json(random, 4) + ",\"code\":"
						+ json(random, 4) + "}}";
			case 1:
				return "{\"type\":\"error\",\"error\":{\"type\":" + json(random, 4) + ",\"message\":" + message
						+ ",\"details\":{\"error_code\":" + json(random, 4) + "}}}";
			case 2:
				return "{\"error\":{\"code\":429,\"message\":" + message + ",\"status\":\"RESOURCE_EXHAUSTED\","
						+ "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":"
						+ "[{\"quotaId\":" + json(random, 4)
						+ "}]},{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\"," + "\"retryDelay\":"
						+ (random.nextBoolean() ? quote(random.nextInt(1000) + "." + random.nextInt(1000) + "s")
								: json(random, 3))
						+ "}]}}";
			case 3:
				return "{\"type\":" + json(random, 4) + ",\"message\":{\"usage\":{\"input_tokens\":" + json(random, 4)
						+ ",\"output_tokens\":" + json(random, 4) + "}},\"usage\":{\"output_tokens\":" + json(random, 4)
						+ ",\"prompt_tokens\":" + json(random, 4) + "}}";
			default:
				return "{\"model\":" + json(random, 4) + ",\"messages\":[{\"role\":\"user\",\"name\":" + json(random, 4)
						+ ",\"content\":" + json(random, 2) + "}],\"max_tokens\":" + json(random, 4) + ",\"n\":"
						+ json(random, 4) + ",\"usageMetadata\":{\"promptTokenCount\":" + json(random, 4) + "}}";
		}
	}

	private static String json(Random random, int depth) {
		int kind = (depth > 4) ? 3 + random.nextInt(3) : random.nextInt(6);
		switch (kind) {
			case 0:
			case 1: {
				StringBuilder object = new StringBuilder("{");
				int fields = random.nextInt(5);
				for (int i = 0; i < fields; i++) {
					if (i > 0) {
						object.append(',');
					}
					object.append(quote(JSON_KEYS[random.nextInt(JSON_KEYS.length)]))
						.append(':')
						.append(json(random, depth + 1));
				}
				return object.append('}').toString();
			}
			case 2: {
				StringBuilder array = new StringBuilder("[");
				int elements = random.nextInt(4);
				for (int i = 0; i < elements; i++) {
					if (i > 0) {
						array.append(',');
					}
					array.append(json(random, depth + 1));
				}
				return array.append(']').toString();
			}
			case 3:
				return quote(random.nextBoolean() ? JSON_STRINGS[random.nextInt(JSON_STRINGS.length)] : value(random));
			case 4: {
				String[] numbers = { "0", "-1", "1.5", "12.0", "1e400", "-1e400", "99999999999999999999999",
						Long.toString(random.nextLong()), Integer.toString(random.nextInt(100_000)) };
				return numbers[random.nextInt(numbers.length)];
			}
			default: {
				String[] literals = { "null", "true", "false" };
				return literals[random.nextInt(literals.length)];
			}
		}
	}

	private static String quote(String text) {
		StringBuilder quoted = new StringBuilder("\"");
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '"' || c == '\\') {
				quoted.append('\\').append(c);
			}
			else if (c < 0x20) {
				quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
			}
			else {
				quoted.append(c);
			}
		}
		return quoted.append('"').toString();
	}

}
