package dev.llmthrottle.protocol;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes provider messages safe to put in exceptions and logs: anything that looks like a
 * credential is replaced by {@code [REDACTED]} (API keys such as {@code sk-...},
 * {@code sk-ant-...}, {@code gsk_...}, {@code AIza...}; {@code Bearer} tokens;
 * {@code key=value} secrets; JWTs; long hex or base64 runs), control characters become
 * spaces, and the text is cut to a length.
 *
 * <p>
 * Errs on the side of redacting: an innocent long identifier may be hidden, a key must
 * not leak.
 */
public final class SecretRedactor {

	/** The replacement text. */
	public static final String REDACTED = "[REDACTED]";

	/** The default length of {@link #safeReason(String)}. */
	public static final int DEFAULT_MAX_LENGTH = 300;

	private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=*\\-]+");

	private static final Pattern KEY_VALUE = Pattern.compile(
			"(?i)\\b(api[-_ ]?key|x-api-key|access[-_ ]?token|token|secret|password|authorization|key)(\\s*[:=]\\s*)"
					+ "[\"']?[^\\s\"',;]+");

	private static final Pattern PREFIXED_KEY = Pattern
		.compile("\\b(?:sk|pk|rk|gsk|xai|csk|sess)[-_][A-Za-z0-9_\\-*.]{3,}|\\bAIza[0-9A-Za-z_\\-]{10,}");

	private static final Pattern JWT = Pattern
		.compile("\\beyJ[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+(?:\\.[A-Za-z0-9_\\-]*)?");

	private static final Pattern HEX = Pattern.compile("\\b[0-9a-fA-F]{32,}\\b");

	private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/_\\-]{32,}={0,2}");

	private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\p{Zl}\\p{Zp}\\s]+");

	private SecretRedactor() {
	}

	/**
	 * Replaces credential-like substrings.
	 * @param text the text, may be {@code null}
	 * @return the redacted text, empty for {@code null}
	 */
	public static String redact(String text) {
		if (text == null || text.isEmpty()) {
			return "";
		}
		String result = BEARER.matcher(text).replaceAll("$1 " + Matcher.quoteReplacement(REDACTED));
		result = KEY_VALUE.matcher(result).replaceAll("$1$2" + Matcher.quoteReplacement(REDACTED));
		result = PREFIXED_KEY.matcher(result).replaceAll(Matcher.quoteReplacement(REDACTED));
		result = JWT.matcher(result).replaceAll(Matcher.quoteReplacement(REDACTED));
		result = HEX.matcher(result).replaceAll(Matcher.quoteReplacement(REDACTED));
		return redactBase64(result);
	}

	/**
	 * A redacted, single-line text of at most {@link #DEFAULT_MAX_LENGTH} characters.
	 * @param text the text, may be {@code null}
	 * @return the safe text
	 */
	public static String safeReason(String text) {
		return safeReason(text, DEFAULT_MAX_LENGTH);
	}

	/**
	 * A redacted, single-line text of at most {@code maxLength} characters (an ellipsis
	 * marks a cut).
	 * @param text the text, may be {@code null}
	 * @param maxLength the longest result, at least 1
	 * @return the safe text
	 */
	public static String safeReason(String text, int maxLength) {
		if (text == null || text.isEmpty()) {
			return "";
		}
		int max = Math.max(maxLength, 1);
		String input = text;
		int window = 2 * max + 256;
		if (input.length() > window) {
			// redact a bounded prefix; drop its last partial word so that a cut key can't
			// leak
			input = input.substring(0, window);
			int lastSpace = lastWhitespace(input);
			input = (lastSpace > 0) ? input.substring(0, lastSpace) : "";
		}
		String result = CONTROL.matcher(redact(input)).replaceAll(" ").trim();
		if (result.length() > max || input.length() < text.length()) {
			int end = Math.min(result.length(), max - 1);
			if (end > 0 && Character.isHighSurrogate(result.charAt(end - 1))) {
				end--;
			}
			result = result.substring(0, Math.max(end, 0)) + "\u2026";
		}
		return result;
	}

	private static int lastWhitespace(String text) {
		for (int i = text.length() - 1; i >= 0; i--) {
			if (Character.isWhitespace(text.charAt(i))) {
				return i;
			}
		}
		return -1;
	}

	private static String redactBase64(String text) {
		Matcher matcher = BASE64.matcher(text);
		StringBuilder result = null;
		int last = 0;
		while (matcher.find()) {
			if (!looksRandom(matcher.group())) {
				continue;
			}
			if (result == null) {
				result = new StringBuilder(text.length());
			}
			result.append(text, last, matcher.start()).append(REDACTED);
			last = matcher.end();
		}
		if (result == null) {
			return text;
		}
		return result.append(text, last, text.length()).toString();
	}

	/**
	 * A run of letters only (a long word) is left alone; digits mixed with letters are
	 * not.
	 */
	private static boolean looksRandom(String run) {
		boolean digit = false;
		boolean letter = false;
		for (int i = 0; i < run.length(); i++) {
			char c = run.charAt(i);
			digit |= Character.isDigit(c);
			letter |= Character.isLetter(c);
		}
		return digit && letter;
	}

}
