package souk.order.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** A validated order request ({@link OrderValidator}); what {@code POST /orders} asks for. */
public record NewOrder(List<OrderLine> items, String currency, String paymentMethod) {

  /** The sum of the lines, in minor units; the client never sends it. */
  public long total() {
    return items.stream().mapToLong(OrderLine::subtotal).reduce(0L, Math::addExact);
  }

  public JsonArray itemsJson() {
    return new JsonArray(items.stream().map(OrderLine::toJson).toList());
  }

  /**
   * A digest of what was asked, independent of JSON key order and unknown fields: two requests with one
   * Idempotency-Key are "the same body" when their fingerprints are equal.
   */
  public String fingerprint() {
    JsonObject canonical = new JsonObject().put("items", itemsJson()).put("currency", currency)
      .put("paymentMethod", paymentMethod);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.encode().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
