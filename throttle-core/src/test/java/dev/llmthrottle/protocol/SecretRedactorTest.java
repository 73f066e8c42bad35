package dev.llmthrottle.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class SecretRedactorTest {

	@ParameterizedTest
	@ValueSource(strings = { "sk-abcdefghijklmnopqrstuvwxyz123456", "sk-proj-AbCdEf0123456789_-xyzXYZ0123456789",
			"sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-AbCdEf", "gsk_0123456789abcdefghijABCDEFGHIJ",
			"AIzaSyA1234567890abcdefghijklmnopqrstu", "Bearer abc.def-ghi_jkl", "api_key=supersecretvalue",
			"x-api-key: supersecretvalue", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.signature123",
			"0123456789abcdef0123456789abcdef01234567", "QWxhZGRpbjpvcGVuIHNlc2FtZQ1234567890abcdefXYZ==" })
	void credentialsAreRedacted(String secret) {
		String text = "Something failed for " + secret + " today";
		String redacted = SecretRedactor.redact(text);
		assertThat(redacted).contains(SecretRedactor.REDACTED).startsWith("Something failed for ").endsWith(" today");
		String core = secret.replaceFirst("^(Bearer |api_key=|x-api-key: )", "");
		assertThat(redacted).doesNotContain(core.substring(Math.max(0, core.length() - 12)));
	}

	@Test
	void partiallyMaskedKeysInProviderMessagesAreRedacted() {
		assertThat(SecretRedactor.redact("Incorrect API key provided: sk-proj-********************************ABCD."))
			.doesNotContain("ABCD");
	}

	@Test
	void ordinaryTextSurvives() {
		String text = "Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29500, Requested "
				+ "800. Please try again in 1.146s. Internationalization-and-localization-considerations apply.";
		assertThat(SecretRedactor.redact(text)).isEqualTo(text);
	}

	@Test
	void safeReasonIsOneLineAndBounded() {
		String reason = SecretRedactor.safeReason("line one\nline two\r\n\tthree" + " word".repeat(500), 100);
		assertThat(reason).doesNotContain("\n")
			.doesNotContain("\r")
			.doesNotContain("\t")
			.startsWith("line one line two three");
		assertThat(reason).hasSizeLessThanOrEqualTo(100).endsWith("\u2026");
		assertThat(SecretRedactor.safeReason(null)).isEmpty();
		assertThat(SecretRedactor.safeReason("short", 100)).isEqualTo("short");
	}

	@Test
	void aKeyCutByTheBoundedPrefixDoesNotLeak() {
		String filler = "sk-" + "a1".repeat(30) + " ";
		String text = filler.repeat(40) + "sk-LEAKLEAKLEAK0123456789";
		String reason = SecretRedactor.safeReason(text, 2000);
		assertThat(reason).doesNotContain("LEAK").doesNotContain("a1a1");
	}

}
