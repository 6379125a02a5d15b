package souk.order.domain;

import souk.common.bus.ServiceException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

import io.vertx.core.json.JsonArray;

/**
 * Where a page of a user's orders ends: the last order's creation time and id (the keyset of "newest first").
 * On the wire it is opaque: base64url of {@code v1:<epoch micros>:<uuid>}; clients must not build one.
 */
public record PageCursor(Instant createdAt, UUID id) {

  private static final String VERSION = "v1";

  public String encode() {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
    String raw = VERSION + ":" + micros + ":" + id;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a cursor made by {@link #encode()}; anything else is a validation failure on field {@code cursor}. */
  public static PageCursor decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      String[] parts = raw.split(":", -1);
      if (parts.length != 3 || !VERSION.equals(parts[0])) {
        throw invalid();
      }
      Instant createdAt = Instant.EPOCH.plus(Long.parseLong(parts[1]), ChronoUnit.MICROS);
      UUID id = UUID.fromString(parts[2]);
      if (!id.toString().equals(parts[2])) {
        throw invalid();
      }
      return new PageCursor(createdAt, id);
    } catch (ServiceException e) {
      throw e;
    } catch (RuntimeException e) {
      throw invalid();
    }
  }

  private static ServiceException invalid() {
    return ServiceException.validation(new JsonArray().add(
      ServiceException.fieldError("cursor", "is not a cursor returned by this API")));
  }
}
