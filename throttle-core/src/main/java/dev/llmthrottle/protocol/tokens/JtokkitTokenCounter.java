package dev.llmthrottle.protocol.tokens;

import java.util.Locale;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Counts tokens with jtokkit's OpenAI encodings. Create one per application and share it:
 * the registry loads each encoding's vocabulary (several megabytes) on first use only,
 * and is thread-safe.
 *
 * <p>
 * Counting uses {@code countTokensOrdinary}, so text containing special-token markers
 * such as {@code <|endoftext|>} is counted as plain text instead of throwing. Should
 * jtokkit fail anyway, the count falls back to chars/4.
 */
public final class JtokkitTokenCounter {

	private final EncodingRegistry registry;

	/** Creates a counter; no vocabulary is loaded until the first count. */
	public JtokkitTokenCounter() {
		this.registry = Encodings.newLazyEncodingRegistry();
	}

	/**
	 * The encoding a model uses: {@code o200k_base} for gpt-4o, gpt-4.1, gpt-4.5, gpt-5,
	 * o1, o3, o4 and gpt-oss; {@code cl100k_base} for gpt-4, gpt-3.5 (and Azure's
	 * {@code gpt-35}) and the text-embedding models; {@code o200k_base} for anything
	 * unknown or absent (Azure bodies carry no model). Prefixes such as {@code openai/}
	 * and {@code ft:} are ignored.
	 * @param model the model name, may be {@code null}
	 * @return the encoding
	 */
	public static EncodingType encodingFor(String model) {
		if (model == null) {
			return EncodingType.O200K_BASE;
		}
		String name = model.trim().toLowerCase(Locale.ROOT);
		if (name.startsWith("ft:")) {
			name = name.substring(3);
		}
		int slash = name.lastIndexOf('/');
		if (slash >= 0) {
			name = name.substring(slash + 1);
		}
		if (name.startsWith("gpt-4o") || name.startsWith("chatgpt-4o") || name.startsWith("gpt-4.1")
				|| name.startsWith("gpt-4.5") || name.startsWith("gpt-5") || name.startsWith("o1")
				|| name.startsWith("o3") || name.startsWith("o4") || name.startsWith("gpt-oss")) {
			return EncodingType.O200K_BASE;
		}
		if (name.startsWith("gpt-4") || name.startsWith("gpt-3.5") || name.startsWith("gpt-35")
				|| name.startsWith("text-embedding-")) {
			return EncodingType.CL100K_BASE;
		}
		return EncodingType.O200K_BASE;
	}

	/**
	 * Counts the tokens of a text as ordinary text.
	 * @param text the text, may be {@code null}
	 * @param encoding the encoding
	 * @return the token count, 0 for {@code null} or empty text
	 */
	public long count(String text, EncodingType encoding) {
		if (text == null || text.isEmpty()) {
			return 0;
		}
		try {
			return this.registry.getEncoding(encoding).countTokensOrdinary(text);
		}
		catch (RuntimeException ex) {
			return (text.length() + 3L) / 4;
		}
	}

	/**
	 * Counts the tokens of a text with the encoding of a model.
	 * @param text the text, may be {@code null}
	 * @param model the model name, may be {@code null}
	 * @return the token count
	 */
	public long count(String text, String model) {
		return count(text, encodingFor(model));
	}

}
