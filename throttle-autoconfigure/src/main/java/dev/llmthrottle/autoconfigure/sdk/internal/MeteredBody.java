package dev.llmthrottle.autoconfigure.sdk.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import dev.llmthrottle.call.Lease;
import dev.llmthrottle.call.UsageMeter;
import dev.llmthrottle.core.Cost;

/**
 * A success's body as the SDK reads it: every chunk passes through a {@link UsageMeter}
 * (nothing is buffered beyond the meter's bounds), and the attempt's lease is settled
 * exactly once: when the body ends, when a stream's final usage event has passed, when
 * reading fails (from what was reported so far) or when the body or its response is
 * closed, whichever comes first.
 */
public final class MeteredBody extends FilterInputStream {

	private final Lease lease;

	private final UsageMeter meter;

	private final boolean eventStream;

	private final Runnable closeResponse;

	private volatile boolean ended;

	MeteredBody(InputStream body, Lease lease, UsageMeter meter, boolean eventStream, Runnable closeResponse) {
		super(body);
		this.lease = lease;
		this.meter = meter;
		this.eventStream = eventStream;
		this.closeResponse = closeResponse;
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		int n = read(one, 0, 1);
		return (n < 0) ? -1 : (one[0] & 0xff);
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		int n;
		try {
			n = super.read(buffer, offset, length);
		}
		catch (IOException | RuntimeException | Error ex) {
			finish(false);
			throw ex;
		}
		if (n > 0) {
			feed(buffer, offset, n);
		}
		else if (n < 0) {
			this.ended = true;
			finish(true);
		}
		return n;
	}

	@Override
	public long skip(long n) throws IOException {
		// read through the meter, so that a skipped part still counts
		byte[] chunk = new byte[(int) Math.min(8192, Math.max(0, n))];
		long skipped = 0;
		while (skipped < n) {
			int read = read(chunk, 0, (int) Math.min(chunk.length, n - skipped));
			if (read < 0) {
				break;
			}
			skipped += read;
		}
		return skipped;
	}

	@Override
	public boolean markSupported() {
		return false;
	}

	@Override
	public void close() throws IOException {
		try {
			super.close();
		}
		finally {
			finish(this.ended);
		}
	}

	/**
	 * Closes the response the body belongs to. A JSON body the SDK did not read to its
	 * end is first read through the meter, up to {@link UsageMeter#MAX_WHOLE} bytes, so
	 * that the call still settles from its usage; an event stream closed early is not
	 * drained (it may run for minutes): it settles from what it reported so far.
	 */
	public void closeResponse() {
		try {
			if (!this.lease.isClosed() && !this.eventStream) {
				drain();
			}
			this.closeResponse.run();
		}
		finally {
			finish(this.ended);
		}
	}

	private void feed(byte[] buffer, int offset, int n) {
		try {
			this.meter.feed(buffer, offset, n);
			if (this.meter.isComplete()) {
				finish(true); // the last event is in: the call is over even if the body
								// lingers
			}
		}
		catch (RuntimeException ex) {
			finish(false); // a body the meter cannot read settles to the estimate
		}
	}

	private void drain() {
		try {
			byte[] chunk = new byte[8192];
			long left = UsageMeter.MAX_WHOLE;
			int n;
			while (left > 0 && (n = read(chunk, 0, (int) Math.min(chunk.length, left))) >= 0) {
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
		Cost actual = null;
		try {
			actual = this.meter.finish(complete).orElse(null);
		}
		catch (RuntimeException ex) {
			// a usage that cannot be read settles to the estimate
		}
		this.lease.settled(actual);
	}

}
