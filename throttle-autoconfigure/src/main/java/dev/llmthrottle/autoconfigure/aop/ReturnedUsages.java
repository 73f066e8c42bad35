package dev.llmthrottle.autoconfigure.aop;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.protocol.tokens.Usage;

/**
 * The {@link ReturnedUsage} readers of the client libraries present on the class path,
 * asked in turn. Never throws: a reader that fails (a missing field an SDK accessor
 * insists on, a library of another major version than the one compiled against) gives no
 * usage, and the estimate stands.
 */
final class ReturnedUsages {

	private static final System.Logger logger = System.getLogger(ReturnedUsages.class.getName());

	private final List<ReturnedUsage> readers;

	ReturnedUsages(List<ReturnedUsage> readers) {
		this.readers = List.copyOf(readers);
	}

	/** The readers whose libraries {@code classLoader} sees. */
	static ReturnedUsages forClassPath(@Nullable ClassLoader classLoader) {
		List<ReturnedUsage> readers = new ArrayList<>();
		if (ClassUtils.isPresent(SpringAiReturnedUsage.MARKER, classLoader)) {
			readers.add(new SpringAiReturnedUsage());
		}
		if (ClassUtils.isPresent(OpenAiReturnedUsage.MARKER, classLoader)) {
			readers.add(new OpenAiReturnedUsage());
		}
		if (ClassUtils.isPresent(AnthropicReturnedUsage.MARKER, classLoader)) {
			readers.add(new AnthropicReturnedUsage());
		}
		return new ReturnedUsages(readers);
	}

	/** The number of readers present. */
	int readerCount() {
		return this.readers.size();
	}

	/** Whether no reader is present (nothing is ever read). */
	boolean isEmpty() {
		return this.readers.isEmpty();
	}

	/**
	 * The cost that settles a call whose method returned {@code value}, or {@code null}
	 * when it carries no usage this starter can read.
	 */
	@Nullable Cost cost(@Nullable Object value) {
		Usage usage = usage(value);
		return (usage != null) ? CostEstimator.actual(usage) : null;
	}

	/** The usage {@code value} carries, or {@code null}. */
	@Nullable Usage usage(@Nullable Object value) {
		if (value == null) {
			return null;
		}
		for (ReturnedUsage reader : this.readers) {
			try {
				Usage usage = reader.read(value, this);
				if (usage != null) {
					return usage;
				}
			}
			catch (RuntimeException | LinkageError ex) {
				logger.log(System.Logger.Level.DEBUG, () -> "No usage read from a returned "
						+ value.getClass().getName() + ": " + ex.getClass().getName(), ex);
				return null;
			}
		}
		return null;
	}

	/**
	 * Follows a stream's elements and keeps the last usage one of them carried (the
	 * providers send it with the final chunk; a stream that reports input and output
	 * apart reports the totals last). Not thread-safe beyond Reactive Streams' serial
	 * signals.
	 */
	final class StreamUsage {

		private volatile @Nullable Usage last;

		/** Reads one element. */
		void onElement(@Nullable Object element) {
			Usage usage = usage(element);
			if (usage != null) {
				this.last = usage;
			}
		}

		/** The cost of the usage seen last, or {@code null}. */
		@Nullable Cost cost() {
			Usage usage = this.last;
			return (usage != null) ? CostEstimator.actual(usage) : null;
		}

	}

}
