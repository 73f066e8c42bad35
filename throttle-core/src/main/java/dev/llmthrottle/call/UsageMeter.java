package dev.llmthrottle.call;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.internal.SseDataReader;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.tokens.StreamUsageTracker;
import dev.llmthrottle.protocol.tokens.UsageExtractor;

/**
 * Reads a success's usage from its body as the body passes to the caller, chunk by chunk,
 * without holding it: a JSON body is kept up to {@link #MAX_WHOLE} bytes (parsed whole),
 * beyond that only its last {@link #MAX_TAIL} bytes, where the providers put
 * {@code usage}; an event stream is read event by event for its usage events. Not
 * thread-safe: one meter per body, fed in order.
 */
public final class UsageMeter {

	/** Bodies up to this size are parsed whole. */
	public static final int MAX_WHOLE = 256 * 1024;

	/** Of a larger body, only this much of its end is kept. */
	public static final int MAX_TAIL = 64 * 1024;

	private final Dialect dialect;

	private final StreamUsageTracker tracker;

	private final SseDataReader reader;

	private ByteArrayOutputStream whole = new ByteArrayOutputStream(1024);

	private byte[] tail;

	private int tailEnd;

	private boolean tailFull;

	private UsageMeter(Dialect dialect, boolean eventStream) {
		this.dialect = dialect;
		this.tracker = eventStream ? new StreamUsageTracker(dialect) : null;
		this.reader = eventStream ? new SseDataReader(this.tracker::onData) : null;
	}

	/** A meter for a JSON body. */
	public static UsageMeter json(Dialect dialect) {
		return new UsageMeter(dialect, false);
	}

	/** A meter for a server-sent-event stream. */
	public static UsageMeter eventStream(Dialect dialect) {
		return new UsageMeter(dialect, true);
	}

	/** Feeds the next chunk of the body. */
	public void feed(byte[] chunk, int offset, int length) {
		if (this.reader != null) {
			this.reader.feed(chunk, offset, length);
			return;
		}
		if (this.whole != null && this.whole.size() + length <= MAX_WHOLE) {
			this.whole.write(chunk, offset, length);
			return;
		}
		if (this.whole != null) {
			byte[] kept = this.whole.toByteArray();
			this.whole = null;
			this.tail = new byte[MAX_TAIL];
			keep(kept, 0, kept.length);
		}
		keep(chunk, offset, length);
	}

	private void keep(byte[] chunk, int offset, int length) {
		int from = (length > MAX_TAIL) ? offset + length - MAX_TAIL : offset;
		for (int i = from; i < offset + length; i++) {
			this.tail[this.tailEnd] = chunk[i];
			this.tailEnd = (this.tailEnd + 1) % MAX_TAIL;
			this.tailFull |= (this.tailEnd == 0);
		}
	}

	/**
	 * Whether an event stream has delivered its final event (JSON bodies: never before
	 * their end).
	 */
	public boolean isComplete() {
		return this.tracker != null && this.tracker.complete();
	}

	/**
	 * The usage the body reported, as the cost that settles the call.
	 * @param complete whether the body was read to its end (a stream cut short settles
	 * from what it reported so far)
	 */
	public Optional<Cost> finish(boolean complete) {
		if (this.reader != null) {
			this.reader.finish();
			return (complete ? this.tracker.finalUsage() : this.tracker.partialUsage()).map(CostEstimator::actual);
		}
		if (this.whole != null) {
			return UsageExtractor.extract(this.whole.toByteArray(), this.dialect).map(CostEstimator::actual);
		}
		return usageInTail().map(CostEstimator::actual);
	}

	private Optional<dev.llmthrottle.protocol.tokens.Usage> usageInTail() {
		byte[] ordered;
		if (this.tailFull) {
			ordered = new byte[MAX_TAIL];
			System.arraycopy(this.tail, this.tailEnd, ordered, 0, MAX_TAIL - this.tailEnd);
			System.arraycopy(this.tail, 0, ordered, MAX_TAIL - this.tailEnd, this.tailEnd);
		}
		else {
			ordered = java.util.Arrays.copyOf(this.tail, this.tailEnd);
		}
		String text = new String(ordered, StandardCharsets.UTF_8);
		for (String name : new String[] { "\"usage\"", "\"usageMetadata\"" }) {
			int at = text.lastIndexOf(name);
			int open = (at >= 0) ? text.indexOf('{', at + name.length()) : -1;
			int close = (open >= 0) ? matchingBrace(text, open) : -1;
			if (close > 0) {
				String object = "{" + name + ":" + text.substring(open, close + 1) + "}";
				Optional<dev.llmthrottle.protocol.tokens.Usage> usage = UsageExtractor.extract(object, this.dialect);
				if (usage.isPresent()) {
					return usage;
				}
			}
		}
		return Optional.empty();
	}

	private static int matchingBrace(String text, int open) {
		int depth = 0;
		boolean quoted = false;
		for (int i = open; i < text.length(); i++) {
			char c = text.charAt(i);
			if (quoted) {
				if (c == '\\') {
					i++;
				}
				else if (c == '"') {
					quoted = false;
				}
			}
			else if (c == '"') {
				quoted = true;
			}
			else if (c == '{') {
				depth++;
			}
			else if (c == '}' && --depth == 0) {
				return i;
			}
		}
		return -1;
	}

}
