package souk.payment.domain;

import souk.common.saga.PaymentStatus;

import java.util.UUID;

/**
 * A payment of one order.
 *
 * @param amount minor units of {@code currency}
 * @param status {@code null} only in a draft not yet charged
 */
public record Payment(UUID id, UUID orderId, UUID userId, long amount, String currency, String method,
                      PaymentStatus status) {
}
