package dev.llmthrottle.protocol;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.llmthrottle.protocol.internal.Json;
import org.jspecify.annotations.Nullable;

/**
 * Classifies a response from its status, headers and body together (protocol.md §3,
 * §8.1): never "retry every 429".
 *
 * <p>
 * Decision order:
 * <ol>
 * <li>Status below 400: {@link ErrorCategory#SUCCESS}.</li>
 * <li>{@code x-should-retry: false} forces never-retry, {@code true} forces a retry,
 * ahead of everything below, as the Stainless SDKs (OpenAI, Anthropic) do.</li>
 * <li>Never retry: quota and billing codes ({@code insufficient_quota},
 * {@code credit_balance_exhausted}, the spend-limit codes); Anthropic
 * {@code enforced_spend_limit_reached} without {@code retry-after}; "reached your
 * specified API usage limits"; 402; 413; "Request too large ... Limit L, Requested R"
 * with R &gt; L; a Gemini quota id containing {@code PerDay} (reported as
 * {@link Classification#dailyQuota()}, with its reset at midnight Pacific); any other 4xx
 * except 408, 409 and 429.</li>
 * <li>Otherwise (408, 409, 429, 5xx, 529): retry after the hint when there is one (see
 * {@link RetryHintResolver}), else slow down when the provider asked for it
 * ({@code slow_down}, Together's 429, Vertex Provisioned Throughput), else back off.</li>
 * </ol>
 * A hint above the cap is returned as {@link ErrorCategory#RETRY_AFTER_HINT} with
 * {@link RetryHint#exceedsCap()} set: {@link Classification#failFast()} tells the caller
 * to give up (or park) rather than wait hours.
 */
public final class ErrorClassifier {

	private static final Set<String> QUOTA_CODES = Set.of("insufficient_quota", "credit_balance_exhausted",
			"organization_spend_limit_exceeded", "project_spend_limit_exceeded", "organization_usage_limit_exceeded",
			"billing_hard_limit_reached", "billing_not_active", "billing_error");

	private static final String SPEND_LIMIT_CODE = "enforced_spend_limit_reached";

	private static final Pattern USAGE_LIMITS = Pattern.compile("reached your specified .{0,60}api usage limit");

	private static final Pattern TOO_LARGE = Pattern
		.compile("request too large.{0,500}?\\blimit:?\\s*([\\d,]{1,40})\\s*,\\s*requested:?\\s*([\\d,]{1,40})");

	private static final Pattern TOKENS_TEXT = Pattern
		.compile("\\(tpm\\)|\\(tpd\\)|tokens per (?:min|minute|day|hour)|token rate limit|tokens? limit");

	private static final Pattern REQUESTS_TEXT = Pattern.compile(
			"\\(rpm\\)|\\(rpd\\)|\\(rps\\)|requests per (?:min|minute|day|hour|second)|request rate|number of requests"
					+ "|call rate limit");

	private static final Pattern SLOW_DOWN_TEXT = Pattern.compile("\\bslow(?:_|\\s)?down\\b");

	/** Only this much of a message is matched against the text rules. */
	private static final int MAX_TEXT = 16 * 1024;

	private ErrorClassifier() {
	}

	/**
	 * Classifies one HTTP response.
	 * @param status the HTTP status code
	 * @param headers the response headers, may be {@code null}
	 * @param body the response body, may be {@code null}, empty or not JSON
	 * @param dialect the provider's dialect; {@code null} means {@link Dialect#GENERIC}
	 * @param now the instant the response was received
	 * @param maxRetryAfterMillis the longest hint the caller will wait
	 * ({@code retry.max-retry-after})
	 * @return the verdict, never {@code null}
	 */
	public static Classification classify(int status, @Nullable ProtocolHeaders headers, @Nullable String body,
			@Nullable Dialect dialect, Instant now, long maxRetryAfterMillis) {
		Objects.requireNonNull(now, "now");
		ProtocolHeaders safeHeaders = (headers != null) ? headers : ProtocolHeaders.empty();
		Dialect safeDialect = (dialect != null) ? dialect : Dialect.GENERIC;
		RateLimitSnapshot snapshot = RateLimitHeaders.parse(safeHeaders, safeDialect, now);
		if (status < 400) {
			return new Classification(status, ErrorCategory.SUCCESS, Optional.empty(), "", false, false,
					LimitType.UNKNOWN, snapshot);
		}
		ErrorBody error = ErrorBody.parse(body);
		String message = error.message().orElse((!error.json() && body != null) ? body : "");
		String text = lower(message);
		String type = lower(error.type().orElse(""));
		String code = lower(error.code().orElse(""));
		String errorCode = lower(error.errorCode().orElse(""));

		LimitType limitType = (status == 429) ? limitType(type, text, error, snapshot) : LimitType.UNKNOWN;
		Optional<RetryHint> hint = RetryHintResolver.resolve(safeHeaders, error, body, snapshot, limitType, now,
				maxRetryAfterMillis);
		boolean explicitSlowDown = type.equals("slow_down") || code.equals("slow_down")
				|| SLOW_DOWN_TEXT.matcher(text).find();
		boolean overload = !explicitSlowDown && overload(status, type, code, text, error);
		Optional<String> never = neverRule(status, type, code, errorCode, text, error, safeHeaders);

		ErrorCategory category;
		Optional<Boolean> shouldRetry = shouldRetry(safeHeaders);
		if (shouldRetry.isPresent() && !shouldRetry.get()) {
			category = ErrorCategory.NEVER_RETRY;
		}
		else if (never.isPresent() && shouldRetry.isEmpty()) {
			category = ErrorCategory.NEVER_RETRY;
		}
		else if (hint.isPresent()) {
			category = ErrorCategory.RETRY_AFTER_HINT;
		}
		else if (explicitSlowDown || asksToSlowDown(status, safeDialect, text)) {
			category = ErrorCategory.RETRY_SLOW_DOWN;
		}
		else {
			category = ErrorCategory.RETRY_BACKOFF;
		}
		boolean slowDown = category != ErrorCategory.NEVER_RETRY && !overload
				&& (status == 429 || explicitSlowDown || category == ErrorCategory.RETRY_SLOW_DOWN);
		String reason = reason(status, error, message);
		Optional<DailyQuota> dailyQuota = (category == ErrorCategory.NEVER_RETRY && status == 429)
				? DailyQuota.of(error, now) : Optional.empty();
		return new Classification(status, category, hint, reason, overload, slowDown, limitType, snapshot, dailyQuota);
	}

	/**
	 * Classifies one server-sent event's {@code data:} payload received after HTTP 200.
	 * An error event (Anthropic {@code {"type":"error","error":{...}}}, OpenAI
	 * {@code {"error":{...}}} or a Responses {@code {"type":"error","code":...}}) is
	 * classified as the status its type stands for ({@code overloaded_error} as 529,
	 * {@code rate_limit_error} as 429, unknown types as 500); anything else is
	 * {@link ErrorCategory#SUCCESS}.
	 * @param data the event payload, with or without the {@code data:} prefix
	 * @param dialect the provider's dialect
	 * @param now the current instant
	 * @param maxRetryAfterMillis the longest hint the caller will wait
	 * @return the verdict, never {@code null}
	 */
	public static Classification classifyStreamEvent(String data, Dialect dialect, Instant now,
			long maxRetryAfterMillis) {
		String payload = (data != null) ? data.trim() : "";
		if (payload.startsWith("data:")) {
			payload = payload.substring(5).trim();
		}
		int status = Json.parse(payload).map(ErrorClassifier::streamErrorStatus).orElse(200);
		return classify(status, ProtocolHeaders.empty(), payload, dialect, now, maxRetryAfterMillis);
	}

	private static int streamErrorStatus(tools.jackson.databind.JsonNode root) {
		if (!root.isObject()) {
			return 200;
		}
		tools.jackson.databind.JsonNode error = root.get("error");
		boolean isError = "error".equals(Json.text(root, "type").orElse(""))
				|| (error != null && !error.isNull() && !error.isMissingNode());
		if (!isError) {
			return 200;
		}
		ErrorBody body = ErrorBody.fromTree(root);
		String kind = lower(body.type().or(body::code).orElse(""));
		switch (kind) {
			case "overloaded_error":
				return 529;
			case "rate_limit_error":
			case "rate_limit_exceeded":
			case "insufficient_quota":
				return 429;
			case "timeout_error":
				return 504;
			case "invalid_request_error":
				return 400;
			case "authentication_error":
				return 401;
			case "permission_error":
				return 403;
			case "not_found_error":
				return 404;
			case "request_too_large":
				return 413;
			case "billing_error":
				return 402;
			default:
				return 500;
		}
	}

	private static Optional<String> neverRule(int status, String type, String code, String errorCode, String text,
			ErrorBody error, ProtocolHeaders headers) {
		if (QUOTA_CODES.contains(type) || QUOTA_CODES.contains(code) || QUOTA_CODES.contains(errorCode)) {
			return Optional.of("quota or billing");
		}
		if (errorCode.equals(SPEND_LIMIT_CODE) && !headers.contains("retry-after")) {
			return Optional.of("spend limit");
		}
		if (USAGE_LIMITS.matcher(text).find()) {
			return Optional.of("usage limits");
		}
		if (status == 402) {
			return Optional.of("payment required");
		}
		if (status == 413 || type.equals("request_too_large")) {
			return Optional.of("request too large");
		}
		if (tooLargeForLimit(text)) {
			return Optional.of("request larger than the limit");
		}
		if (error.hasQuotaId("PerDay")) {
			return Optional.of("daily quota");
		}
		if (status >= 400 && status < 500 && status != 408 && status != 409 && status != 429) {
			return Optional.of("client error");
		}
		return Optional.empty();
	}

	/**
	 * OpenAI's "Request too large for gpt-4o ... Limit 30000, Requested 41250": can never
	 * fit.
	 */
	private static boolean tooLargeForLimit(String text) {
		Matcher matcher = TOO_LARGE.matcher(text);
		if (!matcher.find()) {
			return false;
		}
		String limit = matcher.group(1).replace(",", "");
		String requested = matcher.group(2).replace(",", "");
		if (limit.isEmpty() || requested.isEmpty()) {
			return false;
		}
		return new BigInteger(requested).compareTo(new BigInteger(limit)) > 0;
	}

	private static boolean overload(int status, String type, String code, String text, ErrorBody error) {
		return status == 529 || status == 503 || type.equals("overloaded_error") || code.equals("server_is_overloaded")
				|| text.contains("overloaded") || code.equals("3505") || text.contains("capacity exceeded")
				|| text.contains("experiencing high demand")
				|| (text.contains("resource exhausted, please try again later") && error.quotaIds().isEmpty());
	}

	/**
	 * Together's 429 (above the dynamic rate) and Vertex Provisioned Throughput ask for a
	 * lower rate.
	 */
	private static boolean asksToSlowDown(int status, Dialect dialect, String text) {
		return status == 429 && (dialect == Dialect.TOGETHER || text.contains("exceeded the provisioned throughput"));
	}

	private static LimitType limitType(String type, String text, ErrorBody error, RateLimitSnapshot snapshot) {
		switch (type.replace('-', '_')) {
			case "requests":
				return LimitType.REQUESTS;
			case "tokens":
			case "tokens_usage_based":
				return LimitType.TOKENS;
			case "input_tokens":
				return LimitType.INPUT_TOKENS;
			case "output_tokens":
				return LimitType.OUTPUT_TOKENS;
			default:
				break;
		}
		if (text.contains("output tokens") || text.contains("output_tokens")) {
			return LimitType.OUTPUT_TOKENS;
		}
		if (text.contains("input tokens") || text.contains("input_tokens")) {
			return LimitType.INPUT_TOKENS;
		}
		if (TOKENS_TEXT.matcher(text).find()) {
			return LimitType.TOKENS;
		}
		if (REQUESTS_TEXT.matcher(text).find()) {
			return LimitType.REQUESTS;
		}
		if (error.hasQuotaId("InputToken")) {
			return LimitType.INPUT_TOKENS;
		}
		if (error.hasQuotaId("OutputToken")) {
			return LimitType.OUTPUT_TOKENS;
		}
		if (error.hasQuotaId("Token")) {
			return LimitType.TOKENS;
		}
		if (error.hasQuotaId("Request")) {
			return LimitType.REQUESTS;
		}
		DimensionState longest = null;
		for (DimensionState state : snapshot.exhausted()) {
			if (longest == null || state.resetMillis().orElse(0) > longest.resetMillis().orElse(0)) {
				longest = state;
			}
		}
		return (longest != null) ? LimitType.of(longest.dimension()) : LimitType.UNKNOWN;
	}

	private static Optional<Boolean> shouldRetry(ProtocolHeaders headers) {
		String value = headers.first("x-should-retry").orElse("");
		if (value.equalsIgnoreCase("true")) {
			return Optional.of(Boolean.TRUE);
		}
		if (value.equalsIgnoreCase("false")) {
			return Optional.of(Boolean.FALSE);
		}
		return Optional.empty();
	}

	private static String reason(int status, ErrorBody error, String message) {
		StringBuilder reason = new StringBuilder("HTTP ").append(status);
		error.errorCode()
			.or(() -> error.code().filter((code) -> !code.matches("\\d+")))
			.or(error::type)
			.or(error::status)
			.ifPresent((kind) -> reason.append(' ').append(kind));
		if (!message.isBlank()) {
			reason.append(": ").append(message.length() > MAX_TEXT ? message.substring(0, MAX_TEXT) : message);
		}
		return SecretRedactor.safeReason(reason.toString());
	}

	private static String lower(String text) {
		String bounded = (text.length() > MAX_TEXT) ? text.substring(0, MAX_TEXT) : text;
		return bounded.toLowerCase(Locale.ROOT);
	}

}
