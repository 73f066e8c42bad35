package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.config.Limit;
import java.math.BigInteger;
import java.time.Duration;

/**
 * A request limit enforced per quantum: fixed windows of
 * {@code q = min(quantum, period)}, each admitting
 * {@code max(1, floor(amount * q / period))} requests, as OpenAI enforces 60,000 RPM as
 * 1,000 requests/s and Azure checks RPM over 1 s windows. A burst is refused well below
 * the per-period figure.
 *
 * <p>
 * The per-period figure is kept too, as a fixed window of the period on the same origin:
 * the headers report its remaining and reset (so a client can see plenty "remaining" and
 * still be refused), and it is enforced as well, so the quantum can never admit more than
 * {@code amount} per period window. It only binds when {@code amount * q / period < 1}
 * (the {@code max(1, ...)} case) or when the period is not a multiple of the quantum.
 */
final class QuantizedMeter implements Meter {

	private final Limit limit;

	private final FixedWindowMeter perQuantum;

	private final FixedWindowMeter perPeriod;

	QuantizedMeter(Limit limit, Duration quantum, long origin) {
		this.limit = limit;
		long q = Math.min(quantum.toNanos(), limit.periodNanos());
		this.perQuantum = new FixedWindowMeter(new Limit(limit.dimension(), perQuantum(limit, q), Duration.ofNanos(q)),
				origin);
		this.perPeriod = new FixedWindowMeter(limit, origin);
	}

	/** {@code max(1, floor(amount * quantum / period))}. */
	static long perQuantum(Limit limit, long quantumNanos) {
		long admitted = BigInteger.valueOf(limit.amount())
			.multiply(BigInteger.valueOf(quantumNanos))
			.divide(BigInteger.valueOf(limit.periodNanos()))
			.longValueExact();
		return Math.max(1, admitted);
	}

	@Override
	public Limit limit() {
		return limit;
	}

	/** The limit enforced per quantum window. */
	Limit quantumLimit() {
		return perQuantum.limit();
	}

	@Override
	public long available(long now) {
		return Math.min(perQuantum.available(now), perPeriod.available(now));
	}

	@Override
	public long waitNanos(long units, long now) {
		perQuantum.available(now);
		perPeriod.available(now);
		long need = Math.min(units, perQuantum.limit().amount());
		long t = now;
		// Each step moves to a boundary of the window that refuses; at most a few steps
		// until both fit.
		while (true) {
			long step = Math.max(perQuantum.waitFrom(need, t), perPeriod.waitFrom(need, t));
			if (step == 0) {
				return t - now;
			}
			t += step;
		}
	}

	@Override
	public Charge charge(long units, long now) {
		Charge charge = perQuantum.charge(units, now);
		charge.linked = perPeriod.charge(units, now);
		return charge;
	}

	@Override
	public void adjust(Charge charge, long delta, long now) {
		perQuantum.adjust(charge, delta, now);
		perPeriod.adjust(charge.linked, delta, now);
	}

	@Override
	public long remaining(long now) {
		return perPeriod.remaining(now);
	}

	@Override
	public long resetNanos(long now) {
		return perPeriod.resetNanos(now);
	}

}
