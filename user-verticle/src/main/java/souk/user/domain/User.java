package souk.user.domain;

import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** A user as the API shows it: never a password or its hash. */
public record User(UUID id, String name, String email, OffsetDateTime createdAt) {

  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id.toString())
      .put("name", name)
      .put("email", email)
      .put("createdAt", DateTimeFormatter.ISO_INSTANT.format(createdAt.withOffsetSameInstant(ZoneOffset.UTC)));
  }
}
