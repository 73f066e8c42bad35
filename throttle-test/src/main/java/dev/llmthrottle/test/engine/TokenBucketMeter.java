package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.config.Limit;
import java.math.BigInteger;

/**
 * Token bucket: capacity = amount, continuous refill of amount per period. The level is
 * kept exactly as {@code tokens * periodNanos} (so one nanosecond refills {@code amount}
 * units of it) in a {@link BigInteger}, because {@code amount * periodNanos} overflows a
 * long for daily token limits.
 */
final class TokenBucketMeter implements Meter {

	private final Limit limit;

	private final BigInteger amount;

	private final BigInteger period;

	private final BigInteger capacity;

	private BigInteger level;

	private long last;

	TokenBucketMeter(Limit limit, long now) {
		this.limit = limit;
		this.amount = BigInteger.valueOf(limit.amount());
		this.period = BigInteger.valueOf(limit.periodNanos());
		this.capacity = amount.multiply(period);
		this.level = capacity;
		this.last = now;
	}

	@Override
	public Limit limit() {
		return limit;
	}

	private void refill(long now) {
		if (now > last) {
			level = level.add(BigInteger.valueOf(now - last).multiply(amount)).min(capacity);
			last = now;
		}
	}

	private BigInteger scaled(long units) {
		return BigInteger.valueOf(units).multiply(period);
	}

	@Override
	public long available(long now) {
		refill(now);
		return floorDiv(level, period);
	}

	@Override
	public long waitNanos(long units, long now) {
		refill(now);
		BigInteger deficit = scaled(units).subtract(level);
		return deficit.signum() <= 0 ? 0 : ceilDiv(deficit, amount);
	}

	@Override
	public Charge charge(long units, long now) {
		refill(now);
		level = level.subtract(scaled(units));
		return new Charge(now, units, 0);
	}

	@Override
	public void adjust(Charge charge, long delta, long now) {
		refill(now);
		level = level.subtract(scaled(delta)).min(capacity);
		charge.amount += delta;
	}

	@Override
	public long remaining(long now) {
		return Math.max(0, available(now));
	}

	@Override
	public long resetNanos(long now) {
		refill(now);
		return ceilDiv(capacity.subtract(level), amount);
	}

	private static long floorDiv(BigInteger a, BigInteger b) {
		BigInteger[] qr = a.divideAndRemainder(b);
		BigInteger q = qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
		return q.longValueExact();
	}

	private static long ceilDiv(BigInteger a, BigInteger b) {
		BigInteger[] qr = a.divideAndRemainder(b);
		BigInteger q = qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
		return q.longValueExact();
	}

}
