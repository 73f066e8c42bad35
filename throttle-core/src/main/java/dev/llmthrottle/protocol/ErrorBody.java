package dev.llmthrottle.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import dev.llmthrottle.protocol.internal.Json;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The fields of a provider's error body that classification needs, read leniently from
 * the shapes in protocol.md §2-§3: OpenAI, Azure, Groq and DeepSeek
 * {@code {"error":{"message","type","code"}}}, Anthropic
 * {@code {"type":"error","error":{"type","message","details":{"error_code"}}}}, Gemini
 * {@code {"error":{"code","message","status","details":[RetryInfo, QuotaFailure]}}} (also
 * wrapped in an array), Mistral's top-level {@code message}/{@code code}, and
 * {@code {"error":"text"}}.
 *
 * @param message the human-readable message, unredacted (see {@link SecretRedactor})
 * @param type the error type ({@code insufficient_quota}, {@code rate_limit_error},
 * {@code tokens}...)
 * @param code the error code, as text ({@code rate_limit_exceeded}, {@code 429},
 * {@code 3505}...)
 * @param status Gemini's status ({@code RESOURCE_EXHAUSTED})
 * @param errorCode Anthropic's {@code details.error_code}
 * ({@code enforced_spend_limit_reached})
 * @param quotaIds Gemini {@code QuotaFailure.violations[].quotaId} values
 * @param retryDelay Gemini {@code RetryInfo.retryDelay} as protobuf JSON ({@code "37s"})
 * @param json whether the body was JSON at all
 */
public record ErrorBody(Optional<String> message, Optional<String> type, Optional<String> code, Optional<String> status,
		Optional<String> errorCode, List<String> quotaIds, Optional<String> retryDelay, boolean json) {

	/** A body that said nothing usable (absent or not JSON). */
	public static final ErrorBody NONE = new ErrorBody(Optional.empty(), Optional.empty(), Optional.empty(),
			Optional.empty(), Optional.empty(), List.of(), Optional.empty(), false);

	private static final int MAX_DETAILS = 32;

	public ErrorBody {
		Objects.requireNonNull(message, "message");
		Objects.requireNonNull(type, "type");
		Objects.requireNonNull(code, "code");
		Objects.requireNonNull(status, "status");
		Objects.requireNonNull(errorCode, "errorCode");
		quotaIds = List.copyOf(quotaIds);
		Objects.requireNonNull(retryDelay, "retryDelay");
	}

	/**
	 * Reads an error body. Never throws.
	 * @param body the response body, may be {@code null} or not JSON
	 * @return the fields found, {@link #NONE} when the body is not JSON
	 */
	public static ErrorBody parse(@Nullable String body) {
		return Json.parse(body).map(ErrorBody::fromTree).orElse(NONE);
	}

	static ErrorBody fromTree(JsonNode tree) {
		JsonNode root = (tree.isArray() && tree.size() > 0) ? tree.get(0) : tree;
		if (!root.isObject()) {
			return new ErrorBody(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
					Optional.empty(), List.of(), Optional.empty(), true);
		}
		JsonNode nested = Json.object(root, "error");
		JsonNode error = (nested != null) ? nested : root;
		Optional<String> message;
		Optional<String> type;
		if (nested != null) {
			message = Json.text(error, "message").or(() -> Json.text(root, "message"));
			type = Json.text(error, "type");
		}
		else {
			message = Json.text(root, "error").or(() -> Json.text(root, "message")).or(() -> Json.text(root, "detail"));
			type = Json.text(root, "type").filter((value) -> !value.equals("error"));
		}
		Optional<String> code = Json.text(error, "code").or(() -> Json.text(root, "code"));
		Optional<String> status = Json.text(error, "status");
		Optional<String> errorCode = Json.text(Json.object(error, "details"), "error_code")
			.or(() -> Json.text(Json.object(root, "details"), "error_code"))
			.or(() -> Json.text(error, "error_code"));
		List<String> quotaIds = new ArrayList<>();
		Optional<String> retryDelay = Optional.empty();
		JsonNode details = error.get("details");
		if (details != null && details.isArray()) {
			int seen = 0;
			for (JsonNode detail : details) {
				if (++seen > MAX_DETAILS) {
					break;
				}
				String detailType = Json.text(detail, "@type").orElse("");
				if (detailType.endsWith("google.rpc.RetryInfo") && retryDelay.isEmpty()) {
					retryDelay = retryDelay(detail.get("retryDelay"));
				}
				else if (detailType.endsWith("google.rpc.QuotaFailure")) {
					collectQuotaIds(detail.get("violations"), quotaIds);
				}
			}
		}
		return new ErrorBody(message, type, code, status, errorCode, quotaIds, retryDelay, true);
	}

	/**
	 * Whether any Gemini quota id contains the fragment, ignoring case ({@code PerDay}).
	 */
	public boolean hasQuotaId(String fragment) {
		String wanted = fragment.toLowerCase(Locale.ROOT);
		for (String id : this.quotaIds) {
			if (id.toLowerCase(Locale.ROOT).contains(wanted)) {
				return true;
			}
		}
		return false;
	}

	private static Optional<String> retryDelay(JsonNode node) {
		if (node == null) {
			return Optional.empty();
		}
		if (node.isString()) {
			return Optional.of(node.stringValue());
		}
		if (node.isObject()) {
			// the {seconds, nanos} object form some protobuf JSON printers emit
			JsonNode seconds = node.get("seconds");
			JsonNode nanos = node.get("nanos");
			long wholeSeconds = integral(seconds);
			long fraction = integral(nanos);
			if (wholeSeconds >= 0 && fraction >= 0 && fraction < 1_000_000_000L && (seconds != null || nanos != null)) {
				return Optional.of(wholeSeconds + "." + String.format(Locale.ROOT, "%09d", fraction) + "s");
			}
		}
		return Optional.empty();
	}

	/**
	 * A non-negative integer from a number or a digit string; 0 when absent; -1 when
	 * invalid.
	 */
	private static long integral(JsonNode node) {
		if (node == null) {
			return 0;
		}
		if (node.isIntegralNumber() && node.canConvertToLong()) {
			return node.longValue();
		}
		if (node.isString() && node.stringValue().matches("\\d{1,18}")) {
			return Long.parseLong(node.stringValue());
		}
		return -1;
	}

	private static void collectQuotaIds(JsonNode violations, List<String> quotaIds) {
		if (violations == null || !violations.isArray()) {
			return;
		}
		int seen = 0;
		for (JsonNode violation : violations) {
			if (++seen > MAX_DETAILS) {
				return;
			}
			Json.text(violation, "quotaId").ifPresent(quotaIds::add);
		}
	}

}
