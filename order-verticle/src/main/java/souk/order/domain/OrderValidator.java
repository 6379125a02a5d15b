package souk.order.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import souk.common.bus.ServiceException;

import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks an order request against the API contract (docs/api.md) and reports every invalid field at once, one entry per field, as a
 * {@link ServiceException#validation} failure. Unknown fields are ignored.
 */
public final class OrderValidator {

  public static final int MAX_ITEMS = 100;
  public static final int MAX_QUANTITY = 1000;
  public static final long MAX_UNIT_PRICE = 100_000_000L;
  /** The simulated provider's tokens; anything else is refused before an order exists. */
  public static final Set<String> PAYMENT_METHODS = Set.of("tok_visa", "tok_chargeDeclined");
  private static final Pattern SKU = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private static final Set<String> ISO_4217 = Currency.getAvailableCurrencies().stream()
    .map(Currency::getCurrencyCode).collect(Collectors.toUnmodifiableSet());

  private OrderValidator() {
  }

  public static NewOrder validate(JsonObject body) {
    JsonArray errors = new JsonArray();
    if (body == null) {
      throw ServiceException.validation(errors.add(ServiceException.fieldError("body", "must be a JSON object")));
    }
    List<OrderLine> lines = items(body.getValue("items"), errors);
    String currency = currency(body.getValue("currency"), errors);
    Object method = body.getValue("paymentMethod");
    if (!(method instanceof String m) || !PAYMENT_METHODS.contains(m)) {
      errors.add(ServiceException.fieldError("paymentMethod", "must be one of " + String.join(", ", PAYMENT_METHODS.stream().sorted().toList())));
    }
    if (!errors.isEmpty()) {
      throw ServiceException.validation(errors);
    }
    return new NewOrder(lines, currency, (String) method);
  }

  private static List<OrderLine> items(Object value, JsonArray errors) {
    if (!(value instanceof JsonArray array) || array.isEmpty() || array.size() > MAX_ITEMS) {
      errors.add(ServiceException.fieldError("items", "must be an array of 1 to " + MAX_ITEMS + " lines"));
      return List.of();
    }
    List<OrderLine> lines = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String prefix = "items[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject item)) {
        errors.add(ServiceException.fieldError(prefix, "must be an object"));
        continue;
      }
      Object sku = item.getValue("sku");
      boolean skuOk = sku instanceof String s && SKU.matcher(s).matches();
      if (!skuOk) {
        errors.add(ServiceException.fieldError(prefix + ".sku", "must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -"));
      }
      Long quantity = integerIn(item.getValue("quantity"), 1, MAX_QUANTITY);
      if (quantity == null) {
        errors.add(ServiceException.fieldError(prefix + ".quantity", "must be an integer from 1 to " + MAX_QUANTITY));
      }
      Long unitPrice = integerIn(item.getValue("unitPrice"), 1, MAX_UNIT_PRICE);
      if (unitPrice == null) {
        errors.add(ServiceException.fieldError(prefix + ".unitPrice", "must be an integer from 1 to " + MAX_UNIT_PRICE + " (minor units)"));
      }
      if (skuOk && quantity != null && unitPrice != null) {
        lines.add(new OrderLine((String) sku, quantity.intValue(), unitPrice));
      }
    }
    return lines;
  }

  private static String currency(Object value, JsonArray errors) {
    if (value instanceof String code && CURRENCY.matcher(code).matches() && isIso4217(code)) {
      return code;
    }
    errors.add(ServiceException.fieldError("currency", "must be an ISO-4217 code in upper case, e.g. EUR"));
    return null;
  }

  private static boolean isIso4217(String code) {
    return ISO_4217.contains(code);
  }

  // a JSON number with a fraction (2.5, and 2.0 too) or beyond a long is refused: prices are whole minor units
  private static Long integerIn(Object value, long min, long max) {
    if (!(value instanceof Integer || value instanceof Long)) {
      return null;
    }
    long number = ((Number) value).longValue();
    return number >= min && number <= max ? number : null;
  }
}
