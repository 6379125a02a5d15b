package souk.payment.store;

import java.util.UUID;

/**
 * A payment of one order.
 *
 * @param amount minor units of {@code currency}
 * @param status SUCCEEDED, DECLINED or REFUNDED
 */
public record Payment(UUID id, UUID orderId, String userId, long amount, String currency, String method,
                      String status) {
}
