package souk.order.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OrderValidatorTest {

  static JsonObject line(Object sku, Object quantity, Object unitPrice) {
    return new JsonObject().put("sku", sku).put("quantity", quantity).put("unitPrice", unitPrice);
  }

  static JsonObject body(JsonArray items, Object currency, Object method) {
    return new JsonObject().put("items", items).put("currency", currency).put("paymentMethod", method);
  }

  private static List<String> invalidFields(JsonObject body) {
    ServiceException e = assertThrows(ServiceException.class, () -> OrderValidator.validate(body));
    assertEquals(ErrorCode.VALIDATION, e.errorCode());
    return e.errors().stream().map(o -> ((JsonObject) o).getString("field")).toList();
  }

  @Test
  void a_valid_order_is_accepted_and_its_total_computed() {
    NewOrder order = OrderValidator.validate(body(new JsonArray()
      .add(line("SKU-1", 2, 1250)).add(line("b_2", 1000, 100_000_000)), "EUR", "tok_visa"));
    assertEquals(2, order.items().size());
    assertEquals(2 * 1250L + 1000L * 100_000_000L, order.total());
    assertEquals("EUR", order.currency());
  }

  @Test
  void every_invalid_field_is_reported_once() {
    JsonArray items = new JsonArray()
      .add(line("bad sku!", 0, 1.5))
      .add(line("x".repeat(65), 1001, 100_000_001))
      .add("not an object")
      .add(line("ok", "3", 0));
    List<String> fields = invalidFields(body(items, "eur", "tok_mastercard"));
    assertEquals(List.of("items[0].sku", "items[0].quantity", "items[0].unitPrice", "items[1].sku",
      "items[1].quantity", "items[1].unitPrice", "items[2]", "items[3].quantity", "items[3].unitPrice", "currency",
      "paymentMethod"), fields);
  }

  @Test
  void items_must_be_a_non_empty_array_of_at_most_100_lines() {
    assertEquals(List.of("items"), invalidFields(body(new JsonArray(), "EUR", "tok_visa")));
    JsonArray many = new JsonArray();
    for (int i = 0; i < 101; i++) {
      many.add(line("s" + i, 1, 1));
    }
    assertEquals(List.of("items"), invalidFields(body(many, "EUR", "tok_visa")));
    assertEquals(List.of("items"), invalidFields(new JsonObject().put("items", "x").put("currency", "EUR")
      .put("paymentMethod", "tok_visa")));
  }

  @Test
  void unknown_currency_code_and_missing_fields_are_refused() {
    assertEquals(List.of("currency"), invalidFields(body(new JsonArray().add(line("a", 1, 1)), "ZZZ", "tok_visa")));
    assertEquals(List.of("items", "currency", "paymentMethod"), invalidFields(new JsonObject()));
  }

  @Test
  void a_missing_body_is_refused() {
    assertEquals(List.of("body"), invalidFields(null));
  }

  @Test
  void the_declining_token_is_a_valid_method() {
    NewOrder order = OrderValidator.validate(body(new JsonArray().add(line("a", 1, 1)), "USD", "tok_chargeDeclined"));
    assertEquals("tok_chargeDeclined", order.paymentMethod());
  }

  @Test
  void fingerprint_ignores_key_order_and_unknown_fields_but_not_content() {
    NewOrder first = OrderValidator.validate(new JsonObject("{\"currency\":\"EUR\",\"paymentMethod\":\"tok_visa\","
      + "\"items\":[{\"unitPrice\":5,\"sku\":\"a\",\"quantity\":2}],\"note\":\"x\"}"));
    NewOrder same = OrderValidator.validate(body(new JsonArray().add(line("a", 2, 5)), "EUR", "tok_visa"));
    NewOrder other = OrderValidator.validate(body(new JsonArray().add(line("a", 3, 5)), "EUR", "tok_visa"));
    assertEquals(first.fingerprint(), same.fingerprint());
    assertNotEquals(first.fingerprint(), other.fingerprint());
  }
}
