package souk.user.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import souk.common.bus.ServiceException;

import java.util.regex.Pattern;

/**
 * A sign-up request, checked field by field: {@code name} 1..100 characters, {@code email} a plausible address of at
 * most 254 characters, {@code password} 8..128 characters. Every invalid field is reported, not just the first.
 */
public record NewUser(String name, String email, String password) {

  public static final int NAME_MAX = 100;
  public static final int EMAIL_MAX = 254;
  public static final int PASSWORD_MIN = 8;
  public static final int PASSWORD_MAX = 128;

  // one @, no spaces, a dot in the domain part; deliverability is the mail server's business
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+");

  /** Parses and validates {@code body}; fails with a validation {@link ServiceException} listing every bad field. */
  public static NewUser parse(Object body) {
    JsonObject json = body instanceof JsonObject object ? object : null;
    if (json == null) {
      throw ServiceException.validation(new JsonArray().add(ServiceException.fieldError("body", "must be a JSON object")));
    }
    JsonArray errors = new JsonArray();
    String name = text(json, "name", 1, NAME_MAX, errors);
    String email = text(json, "email", 3, EMAIL_MAX, errors);
    if (email != null && !EMAIL.matcher(email).matches()) {
      errors.add(ServiceException.fieldError("email", "must be a valid email address"));
    }
    String password = text(json, "password", PASSWORD_MIN, PASSWORD_MAX, errors);
    if (!errors.isEmpty()) {
      throw ServiceException.validation(errors);
    }
    return new NewUser(name, email, password);
  }

  /** A string field of {@code min..max} characters (code points) without NUL; else an error is added. */
  static String text(JsonObject json, String field, int min, int max, JsonArray errors) {
    Object value = json.getValue(field);
    if (!(value instanceof String text)) {
      errors.add(ServiceException.fieldError(field, value == null ? "is required" : "must be a string"));
      return null;
    }
    int length = text.codePointCount(0, text.length());
    if (length < min || length > max) {
      errors.add(ServiceException.fieldError(field, "must be " + min + " to " + max + " characters"));
      return null;
    }
    if (text.indexOf('\0') >= 0) {
      errors.add(ServiceException.fieldError(field, "must not contain NUL characters"));
      return null;
    }
    if (field.equals("name") && text.isBlank()) {
      errors.add(ServiceException.fieldError(field, "must not be blank"));
      return null;
    }
    return text;
  }

  @Override
  public String toString() {
    return "NewUser[name=" + name + ", email=" + email + "]";
  }
}
