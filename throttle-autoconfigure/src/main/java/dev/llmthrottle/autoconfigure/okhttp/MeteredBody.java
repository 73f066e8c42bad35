package dev.llmthrottle.autoconfigure.okhttp;

import java.io.IOException;

import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import org.jspecify.annotations.Nullable;

import dev.llmthrottle.call.Lease;
import dev.llmthrottle.call.UsageMeter;

/**
 * A success's body that feeds every byte the caller reads to a {@link UsageMeter} and
 * settles the attempt's lease exactly once: when the body ends (or an event stream's
 * final event is in), when reading fails (with what was reported so far) or when it is
 * closed. A body closed unread is first read through the meter up to
 * {@link UsageMeter#MAX_WHOLE} bytes, so a status-only caller still settles from the
 * usage; nothing is buffered beyond what the meter keeps.
 */
final class MeteredBody extends ResponseBody {

	private final ResponseBody delegate;

	private final Lease lease;

	private final UsageMeter meter;

	private final Buffer copy = new Buffer();

	private @Nullable BufferedSource source;

	private volatile boolean ended;

	MeteredBody(ResponseBody delegate, Lease lease, UsageMeter meter) {
		this.delegate = delegate;
		this.lease = lease;
		this.meter = meter;
	}

	@Override
	public @Nullable MediaType contentType() {
		return this.delegate.contentType();
	}

	@Override
	public long contentLength() {
		return this.delegate.contentLength();
	}

	@Override
	public synchronized BufferedSource source() {
		if (this.source == null) {
			this.source = Okio.buffer(new ForwardingSource(this.delegate.source()) {

				@Override
				public long read(Buffer sink, long byteCount) throws IOException {
					long n;
					try {
						n = super.read(sink, byteCount);
					}
					catch (IOException | RuntimeException ex) {
						finish(false);
						throw ex;
					}
					if (n > 0) {
						meter(sink, n);
					}
					else if (n < 0) {
						MeteredBody.this.ended = true;
						finish(true);
					}
					return n;
				}

				@Override
				public void close() throws IOException {
					try {
						super.close();
					}
					finally {
						finish(MeteredBody.this.ended);
					}
				}

			});
		}
		return this.source;
	}

	private synchronized void meter(Buffer sink, long n) {
		if (this.lease.isClosed()) {
			return;
		}
		this.copy.clear();
		sink.copyTo(this.copy, sink.size() - n, n);
		byte[] chunk = this.copy.readByteArray();
		this.meter.feed(chunk, 0, chunk.length);
		if (this.meter.isComplete()) {
			finish(true); // the last event is in: the call is over even if the body
							// lingers
		}
	}

	/**
	 * Closes the body; one the caller did not read is read through the meter first (up to
	 * a bound) so that the call settles from its usage.
	 */
	@Override
	public void close() {
		try {
			if (!this.lease.isClosed()) {
				drain();
			}
			source().close();
		}
		catch (IOException ex) {
			// closing a body cannot fail the caller; the lease is settled below
		}
		finally {
			finish(this.ended);
		}
	}

	private void drain() {
		try {
			BufferedSource in = source();
			long left = UsageMeter.MAX_WHOLE;
			while (left > 0 && !this.lease.isClosed()) {
				long n = in.read(new Buffer(), Math.min(8192, left));
				if (n < 0) {
					break;
				}
				left -= n;
			}
		}
		catch (IOException | RuntimeException ex) {
			// what could be read was metered; the rest settles to the estimate
		}
	}

	private synchronized void finish(boolean complete) {
		if (this.lease.isClosed()) {
			return;
		}
		try {
			this.lease.settled(this.meter.finish(complete).orElse(null));
		}
		finally {
			this.lease.settled(null); // no-op unless reading the usage failed
		}
	}

}
