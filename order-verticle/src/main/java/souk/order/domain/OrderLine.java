package souk.order.domain;

import io.vertx.core.json.JsonObject;

/**
 * One line of an order.
 *
 * @param quantity  1..1000
 * @param unitPrice minor units of the order's currency, 1..100000000
 */
public record OrderLine(String sku, int quantity, long unitPrice) {

  /** quantity × unitPrice, in minor units. */
  public long subtotal() {
    return Math.multiplyExact(quantity, unitPrice);
  }

  public JsonObject toJson() {
    return new JsonObject().put("sku", sku).put("quantity", quantity).put("unitPrice", unitPrice);
  }

  public static OrderLine fromJson(JsonObject json) {
    return new OrderLine(json.getString("sku"), json.getInteger("quantity"), json.getLong("unitPrice"));
  }
}
