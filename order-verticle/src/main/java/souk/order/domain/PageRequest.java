package souk.order.domain;

import io.vertx.core.json.JsonArray;
import souk.common.bus.ServiceException;

/**
 * {@code limit} and {@code cursor} of {@code GET /orders}, checked.
 *
 * @param limit  1..{@link #MAX_LIMIT}, {@link #DEFAULT_LIMIT} when absent
 * @param cursor {@code null} for the first page
 */
public record PageRequest(int limit, PageCursor cursor) {

  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_LIMIT = 100;

  /** Parses the raw query values, reporting both fields when both are wrong. */
  public static PageRequest parse(String limit, String cursor) {
    JsonArray errors = new JsonArray();
    int parsedLimit = DEFAULT_LIMIT;
    if (limit != null) {
      try {
        parsedLimit = Integer.parseInt(limit);
      } catch (NumberFormatException e) {
        parsedLimit = -1;
      }
      if (parsedLimit < 1 || parsedLimit > MAX_LIMIT) {
        errors.add(ServiceException.fieldError("limit", "must be an integer from 1 to " + MAX_LIMIT));
      }
    }
    PageCursor parsedCursor = null;
    if (cursor != null) {
      try {
        parsedCursor = PageCursor.decode(cursor);
      } catch (ServiceException e) {
        errors.addAll(e.errors());
      }
    }
    if (!errors.isEmpty()) {
      throw ServiceException.validation(errors);
    }
    return new PageRequest(parsedLimit, parsedCursor);
  }
}
