package dev.llmthrottle.call;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.protocol.Dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link MeteredInputStream} settles its lease exactly once, from the usage the body
 * reported: at the body's end, at an event stream's final event, on a read error, on
 * close; a body closed unread is drained through the meter up to its bound, an event
 * stream (bound 0) not at all.
 */
class MeteredInputStreamTest {

	private static final String USAGE = "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}";

	private static final String JSON = "{\"ok\":1," + USAGE + "}";

	private static final String FINAL_EVENT = "data: {\"choices\":[]," + USAGE + "}\n\n";

	private final List<Cost> settled = new ArrayList<>();

	private final AtomicInteger responseClosed = new AtomicInteger();

	private final Partition partition = new ProviderThrottler(ThrottlePolicy.of("metered", 4), new VirtualTimeSource(),
			PartitionKeys.withRandomSecret(), new ThrottleListener() {
				@Override
				public void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
					MeteredInputStreamTest.this.settled.add(actual);
				}
			})
		.defaultPartition();

	@Test
	void jsonBodyReadToItsEndSettlesOnceFromItsUsage() throws IOException {
		MeteredInputStream in = json(new Counting(JSON, -1), 1024);
		assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(JSON);
		assertThat(this.settled).containsExactly(Cost.of(3, 4));
		in.close();
		in.closeResponse();
		assertThat(this.settled).containsExactly(Cost.of(3, 4));
		assertThat(this.responseClosed).hasValue(1);
	}

	@Test
	void streamSettlesAtItsFinalEventBeforeTheBodyEnds() throws IOException {
		Counting body = new Counting(
				"data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n" + FINAL_EVENT + "data: [DONE]\n\n", -1);
		MeteredInputStream in = stream(body, 0);
		byte[] buffer = new byte[FINAL_EVENT.length() * 4];
		int n = in.read(buffer, 0, buffer.length);
		assertThat(n).isPositive();
		assertThat(this.settled).containsExactly(Cost.of(3, 4));
		while (in.read(buffer, 0, buffer.length) >= 0) {
			// to the end
		}
		in.closeResponse();
		assertThat(this.settled).containsExactly(Cost.of(3, 4));
	}

	@Test
	void readErrorSettlesOnceFromWhatWasReportedAndIsRethrown() throws IOException {
		MeteredInputStream in = json(new Counting(JSON, 5), 1024);
		byte[] buffer = new byte[64];
		assertThat(in.read(buffer, 0, buffer.length)).isEqualTo(5);
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> in.read(buffer, 0, buffer.length))
			.withMessage("cut");
		assertThat(this.settled).containsExactly((Cost) null);
		in.closeResponse();
		assertThat(this.settled).hasSize(1);
		assertThat(this.responseClosed).hasValue(1);
	}

	@Test
	void closingAStreamHalfReadSettlesFromThePartialUsage() throws IOException {
		String start = "data: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n";
		Counting body = new Counting(start + "data: {\"type\":\"content_block_delta\"}\n\n", -1);
		MeteredInputStream in = new MeteredInputStream(body, lease(), UsageMeter.eventStream(Dialect.ANTHROPIC), 0,
				this.responseClosed::incrementAndGet);
		assertThat(in.read(new byte[start.length()], 0, start.length())).isEqualTo(start.length());
		in.close();
		assertThat(this.settled).containsExactly(Cost.of(9, 1));
		in.closeResponse();
		assertThat(this.settled).hasSize(1);
	}

	@Test
	void jsonClosedUnreadIsDrainedThroughTheMeter() {
		Counting body = new Counting(JSON, -1);
		MeteredInputStream in = json(body, 1024);
		in.closeResponse();
		assertThat(this.settled).containsExactly(Cost.of(3, 4));
		assertThat(body.read).isEqualTo(JSON.length());
		assertThat(this.responseClosed).hasValue(1);
	}

	@Test
	void drainStopsAtItsBound() {
		String large = "{\"pad\":\"" + "x".repeat(4000) + "\"," + USAGE + "}";
		Counting body = new Counting(large, -1);
		MeteredInputStream in = json(body, 1000);
		in.closeResponse();
		assertThat(body.read).isEqualTo(1000);
		assertThat(this.settled).containsExactly((Cost) null);
		assertThat(this.responseClosed).hasValue(1);
	}

	@Test
	void streamWithNoDrainBoundIsNotDrained() {
		Counting body = new Counting(FINAL_EVENT, -1);
		MeteredInputStream in = stream(body, 0);
		in.closeResponse();
		assertThat(body.read).isZero();
		assertThat(this.settled).containsExactly((Cost) null);
		assertThat(this.responseClosed).hasValue(1);
	}

	@Test
	void skippedBytesAreMetered() throws IOException {
		MeteredInputStream in = json(new Counting(JSON, -1), 0);
		assertThat(in.skip(10_000)).isEqualTo(JSON.length());
		assertThat(in.read()).isEqualTo(-1);
		assertThat(this.settled).containsExactly(Cost.of(3, 4));
	}

	private MeteredInputStream json(InputStream body, long drainBound) {
		return new MeteredInputStream(body, lease(), UsageMeter.json(Dialect.OPENAI), drainBound,
				this.responseClosed::incrementAndGet);
	}

	private MeteredInputStream stream(InputStream body, long drainBound) {
		return new MeteredInputStream(body, lease(), UsageMeter.eventStream(Dialect.OPENAI), drainBound,
				this.responseClosed::incrementAndGet);
	}

	private Lease lease() {
		return Lease.owning(this.partition.tryAcquire(Cost.of(0, 100)));
	}

	/**
	 * A body that counts what was read from it and fails after {@code failAfter} bytes.
	 */
	private static final class Counting extends InputStream {

		private final ByteArrayInputStream bytes;

		private final int failAfter;

		int read;

		Counting(String text, int failAfter) {
			this.bytes = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
			this.failAfter = failAfter;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int allowed = length;
			if (this.failAfter >= 0) {
				if (this.read >= this.failAfter) {
					throw new IOException("cut");
				}
				allowed = Math.min(length, this.failAfter - this.read);
			}
			int n = this.bytes.read(buffer, offset, allowed);
			if (n > 0) {
				this.read += n;
			}
			return n;
		}

	}

}
