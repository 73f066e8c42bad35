package dev.llmthrottle.core.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A Lua script with its SHA-1, as Redis caches it: run by {@code EVALSHA}, sent whole
 * only after {@code NOSCRIPT}.
 *
 * @param source the script text
 * @param sha1 its lower-case hex SHA-1
 */
public record LuaScript(String source, String sha1) {

	/** The script behind every partition decision. */
	public static final LuaScript THROTTLE = fromResource("throttle.lua");

	public LuaScript {
		Objects.requireNonNull(source, "source");
		Objects.requireNonNull(sha1, "sha1");
	}

	/** A script and the digest Redis will know it by. */
	public static LuaScript of(String source) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
			return new LuaScript(source, HexFormat.of().formatHex(digest));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is unavailable", ex);
		}
	}

	private static LuaScript fromResource(String name) {
		try (InputStream in = LuaScript.class.getResourceAsStream(name)) {
			if (in == null) {
				throw new IllegalStateException("missing resource " + name);
			}
			return of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
